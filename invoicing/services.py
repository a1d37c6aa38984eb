"""Issuing tax invoices and credit notes.

Guarantees of every function here:
- Idempotent: an order has at most one invoice and a refund at most one credit note. Issuing
  checks for the existing document under the order's row lock, and the database refuses a
  second one (one-to-one), so issuing again returns the document already issued.
- Gapless numbering: the number is taken from the locked sequence row inside the issuing
  transaction (invoicing.numbering), so numbers are consecutive per kind and financial year;
  a rolled-back issue gives its number back; (financial year, sequence) and the number are
  database-unique.
- Locks are taken in one order everywhere: the order (after whatever the caller holds: the
  payment, the refund), then the invoice sequence, then the credit-note sequence.
- Immutable: the content is snapshotted at issue; the PDF is rendered from it alone on first use,
  after the issuing transaction (invoicing.files), so no one waits on the sequence lock while a
  PDF is drawn; nothing here changes an issued document.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from invoicing.content import credit_note_content, invoice_content
from invoicing.exceptions import NotInvoiceable
from invoicing.fiscal import financial_year
from invoicing.models import CreditNote, DocumentKind, Invoice
from invoicing.numbering import format_number, sequence_take_next
from payments.models import Order, OrderEvent, Refund
from payments.money import format_inr
from payments.state import RefundState

logger = logging.getLogger(__name__)


def invoice_issue(*, order: Order, issued_at: datetime | None = None) -> Invoice:
    """Issue the tax invoice of a paid order, or return the one it already has.

    Runs in the caller's transaction when there is one (the `order_paid` sender's, which holds
    the order's lock already), else in its own. Raises NotInvoiceable for an order never paid.
    `issued_at` (default: now) dates the invoice and picks its financial year.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        existing = Invoice.objects.filter(order=locked).first()
        if existing is not None:
            return existing
        if locked.paid_at is None:
            raise NotInvoiceable(f"Order {locked.number} was never paid.")
        moment = issued_at or timezone.now()
        year = financial_year(moment)
        sequence = sequence_take_next(kind=DocumentKind.INVOICE, year=year)
        number = format_number(DocumentKind.INVOICE, year, sequence)
        content = invoice_content(order=locked, number=number, year=year, issued_at=moment)
        invoice = Invoice(
            order=locked,
            number=number,
            financial_year=year,
            sequence=sequence,
            issued_at=moment,
            content=content,
            taxable_paise=content["totals"]["taxable_paise"],
            tax_paise=content["totals"]["tax_paise"],
            total_paise=content["totals"]["total_paise"],
        )
        # The PDF is rendered on first use (the receipt, a download), after this transaction:
        # while it is open, every other invoice waits on the number sequence's lock.
        invoice.save()
        OrderEvent.objects.create(
            order=locked,
            kind=OrderEvent.Kind.SYSTEM,
            actor="invoicing",
            message=f"Tax invoice {number} issued for {format_inr(invoice.total_paise)}.",
        )
    logger.info("invoice %s issued for order %s", number, locked.number)
    return invoice


def credit_note_issue(*, refund: Refund, issued_at: datetime | None = None) -> CreditNote | None:
    """Issue the credit note of a completed refund, or return the one it already has.

    Runs in the caller's transaction when there is one (the `refund_completed` sender's, which
    holds the refund, payment and order locks). An order paid before invoicing existed gets its
    invoice first. Returns None, and issues nothing, for a refund that has not completed or
    whose order was never paid (nothing was invoiced, so there is nothing to credit).
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        existing = CreditNote.objects.filter(refund_id=refund.pk).first()
        if existing is not None:
            return existing
        refund = Refund.objects.get(pk=refund.pk)
        if refund.state != RefundState.COMPLETED:
            return None
        if order.paid_at is None:
            logger.warning(
                "refund %s: order %s was never paid, so it has no invoice to credit",
                refund.merchant_refund_id,
                order.number,
            )
            return None
        invoice = invoice_issue(order=order)
        moment = issued_at or timezone.now()
        year = financial_year(moment)
        sequence = sequence_take_next(kind=DocumentKind.CREDIT_NOTE, year=year)
        number = format_number(DocumentKind.CREDIT_NOTE, year, sequence)
        reversed_before = invoice.credit_notes.aggregate(tax=Sum("tax_paise"))["tax"] or 0
        content = credit_note_content(
            refund=refund,
            invoice=invoice.content,
            tax_reversed_before_paise=reversed_before,
            number=number,
            year=year,
            issued_at=moment,
        )
        note = CreditNote(
            refund=refund,
            invoice=invoice,
            number=number,
            financial_year=year,
            sequence=sequence,
            issued_at=moment,
            content=content,
            taxable_paise=content["totals"]["taxable_paise"],
            tax_paise=content["totals"]["tax_paise"],
            total_paise=content["totals"]["total_paise"],
        )
        note.save()  # its PDF, like the invoice's, is rendered on first use
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.SYSTEM,
            actor="invoicing",
            message=(
                f"Credit note {number} issued for refund {refund.merchant_refund_id} "
                f"({format_inr(note.total_paise)}) against invoice {invoice.number}."
            ),
        )
    logger.info("credit note %s issued for refund %s", number, refund.merchant_refund_id)
    return note


def documents_issue_missing() -> tuple[list[Invoice], list[CreditNote]]:
    """Issue the invoices of paid orders that have none (oldest payment first), then the credit
    notes of completed refunds that have none. Each in its own transaction; safe to re-run."""
    invoices = []
    unbilled = Order.objects.filter(paid_at__isnull=False, invoice__isnull=True)
    for order in unbilled.order_by("paid_at", "pk"):
        invoices.append(invoice_issue(order=order))
    notes = []
    uncredited = Refund.objects.filter(state=RefundState.COMPLETED, credit_note__isnull=True)
    for refund in uncredited.order_by("completed_at", "pk"):
        note = credit_note_issue(refund=refund)
        if note is not None:
            notes.append(note)
    return invoices, notes
