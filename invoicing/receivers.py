"""Invoicing's answers to what payments announces (see payments/signals.py).

Issuing runs inside the payment's (or refund's) transaction, in a savepoint: if issuing fails,
the payment is still applied (a customer's money must never wait on a PDF) and the error is
logged; the receipt email tries again, and `manage.py issue_missing_invoices` catches the rest.
For the same reason a failure to attach a document never stops the email.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.dispatch import receiver

from invoicing.files import pdf_read
from invoicing.models import CreditNote, Invoice
from invoicing.services import credit_note_issue, invoice_issue
from payments import signals
from payments.models import Order, Refund

logger = logging.getLogger(__name__)

PDF = "application/pdf"


@receiver(signals.order_paid, dispatch_uid="invoicing.issue_invoice")
def issue_invoice(sender: type[Order], order: Order, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            invoice_issue(order=order)
    except Exception:
        logger.exception("could not issue the invoice of order %s", order.number)


@receiver(signals.refund_completed, dispatch_uid="invoicing.issue_credit_note")
def issue_credit_note(sender: type[Refund], refund: Refund, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            credit_note_issue(refund=refund)
    except Exception:
        logger.exception("could not issue the credit note of refund %s", refund.merchant_refund_id)


@receiver(signals.receipt_email_prepared, dispatch_uid="invoicing.attach_invoice")
def attach_invoice(
    sender: type[Order], order: Order, message: EmailMultiAlternatives, **kwargs: Any
) -> None:
    try:
        invoice = Invoice.objects.filter(order=order).first()
        if invoice is None and order.paid_at is not None:
            invoice = invoice_issue(order=order)  # issuing failed when the payment was applied
        if invoice is not None:
            message.attach(invoice.filename, pdf_read(invoice), PDF)
    except Exception:
        logger.exception("could not attach the invoice to the receipt of order %s", order.number)


@receiver(signals.refund_email_prepared, dispatch_uid="invoicing.attach_credit_note")
def attach_credit_note(
    sender: type[Refund], refund: Refund, message: EmailMultiAlternatives, **kwargs: Any
) -> None:
    try:
        note = CreditNote.objects.filter(refund=refund).first() or credit_note_issue(refund=refund)
        if note is not None:
            message.attach(note.filename, pdf_read(note), PDF)
    except Exception:
        logger.exception(
            "could not attach the credit note to the refund email of %s", refund.merchant_refund_id
        )
