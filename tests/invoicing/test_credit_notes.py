"""A completed refund gets a credit note against the order's invoice."""

from __future__ import annotations

import pytest

from invoicing.files import pdf_read
from invoicing.models import CreditNote, Invoice
from invoicing.services import credit_note_issue
from payments.services.refunds import refund_create
from tests.invoicing.conftest import SELLER_GSTIN
from tests.invoicing.factories import (
    CUSHION,
    TEA,
    complete_refund,
    paid_before_invoicing,
    pay,
    pdf_text,
    sample_order,
)

pytestmark = pytest.mark.django_db


def test_a_refund_of_lines_credits_those_lines_at_their_rates() -> None:
    order = pay(sample_order())

    refund = complete_refund(order, lines=[(TEA, 1)], reason="One caddy arrived crushed")

    note = refund.credit_note
    assert note.invoice == order.invoice
    assert note.total_paise == refund.amount_paise == TEA.unit_price_paise
    (row,) = note.content["rows"]
    # 499.00 at 5%: taxable 475.24, tax 23.76 in two halves.
    assert (row["description"], row["hsn"], row["quantity"], row["rate_bp"]) == (
        TEA.name,
        "0902",
        1,
        500,
    )
    assert (row["taxable_paise"], row["cgst_paise"], row["sgst_paise"]) == (47524, 1188, 1188)
    assert note.content["original_invoice_number"] == order.invoice.number
    assert note.content["reason"] == "One caddy arrived crushed"


def test_the_credit_note_pdf_refers_to_the_invoice() -> None:
    order = pay(sample_order())
    refund = complete_refund(order, lines=[(TEA, 1), (CUSHION, 1)], reason="Order cancelled")
    note = refund.credit_note

    text = pdf_text(pdf_read(note))

    for expected in [
        "Credit Note",
        note.number,
        f"Against invoice: {order.invoice.number}",
        f"GSTIN: {SELLER_GSTIN}",
        order.number,
        TEA.name,
        CUSHION.name,
        "Order cancelled",
        refund.merchant_refund_id,
        "951.50",  # 499.00 + 452.50
        "Rupees Nine Hundred Fifty-One and Fifty Paise Only",
    ]:
        assert expected in text, expected


def test_a_refund_of_an_amount_reverses_tax_in_the_invoices_proportion() -> None:
    order = pay(sample_order())  # 1,499.50 carrying 103.47 of tax at 5%, 12% and 18%

    refund = complete_refund(order, amount_paise=50000, reason="Goodwill")

    (row,) = refund.credit_note.content["rows"]
    assert row["description"] == f"Refund against invoice {order.invoice.number}"
    assert row["rate_bp"] is None  # several rates: printed as "Mixed"
    # 500.00 x 103.47 / 1,499.50 = 34.50 of tax.
    assert (row["taxable_paise"], row["cgst_paise"], row["sgst_paise"]) == (46550, 1725, 1725)
    assert refund.credit_note.total_paise == 50000
    assert "Rupees Five Hundred Only" in pdf_text(pdf_read(refund.credit_note))


def test_amount_refunds_never_reverse_more_tax_than_the_invoice_charged() -> None:
    order = pay(sample_order())

    first = complete_refund(order, amount_paise=100000)
    second = complete_refund(order, amount_paise=order.total_paise - 100000)

    reversed_tax = first.credit_note.tax_paise + second.credit_note.tax_paise
    assert reversed_tax <= order.invoice.tax_paise
    total = first.credit_note.total_paise + second.credit_note.total_paise
    assert total == order.total_paise
    assert second.credit_note.number.endswith("/000002")


def test_a_credit_note_to_another_state_reverses_igst() -> None:
    order = pay(sample_order(state="Tamil Nadu"))

    refund = complete_refund(order, lines=[(TEA, 2)])

    totals = refund.credit_note.content["totals"]
    assert (totals["cgst_paise"], totals["sgst_paise"], totals["igst_paise"]) == (0, 0, 4752)
    assert refund.credit_note.content["place_of_supply"] == "Tamil Nadu (33)"


def test_an_order_paid_before_invoicing_gets_its_invoice_then_the_credit_note() -> None:
    order = paid_before_invoicing(sample_order())

    refund = complete_refund(order, lines=[(CUSHION, 1)])

    invoice = Invoice.objects.get(order=order)
    assert refund.credit_note.invoice == invoice
    assert invoice.total_paise == order.total_paise


def test_a_refund_that_has_not_completed_gets_no_credit_note() -> None:
    order = pay(sample_order())
    refund = refund_create(order=order, reason="Changed mind", requested_by=None, amount_paise=100)

    assert credit_note_issue(refund=refund) is None
    assert not CreditNote.objects.exists()
