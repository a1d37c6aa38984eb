"""A paid order gets one tax invoice, issued in the transaction that marks it paid."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from invoicing.exceptions import NotInvoiceable
from invoicing.files import pdf_read
from invoicing.fiscal import financial_year
from invoicing.models import DocumentSequence, Invoice
from invoicing.services import invoice_issue
from payments.models import Order, OrderEvent, OrderLine
from payments.state import OrderStatus
from tests.factories import OrderFactory, PaymentFactory
from tests.invoicing.conftest import SELLER_GSTIN
from tests.invoicing.factories import (
    CUSHION,
    SAMPLE_TOTAL_PAISE,
    TEA,
    Line,
    order_with,
    pay,
    pdf_text,
    sample_order,
)

pytestmark = pytest.mark.django_db

WORDS = "Rupees One Thousand Four Hundred Ninety-Nine and Fifty Paise Only"


def test_paying_an_order_issues_its_invoice() -> None:
    order = sample_order()

    pay(order)

    invoice = Invoice.objects.get(order=order)
    assert invoice.number == f"LL/{financial_year(invoice.issued_at)[2:]}/000001"
    assert invoice.financial_year == financial_year(timezone.now())
    assert invoice.total_paise == SAMPLE_TOTAL_PAISE == order.total_paise
    assert OrderEvent.objects.filter(order=order, message__contains=invoice.number).exists()


def test_an_order_has_one_invoice_however_often_it_is_issued() -> None:
    order = sample_order()
    first = pay(order).invoice

    again = invoice_issue(order=order)
    pay(order)  # already paid: no second order_paid

    assert again.pk == first.pk
    assert Invoice.objects.filter(order=order).count() == 1
    assert DocumentSequence.objects.get(kind="invoice").last_number == 1


def test_an_unpaid_order_gets_no_invoice() -> None:
    order = sample_order()

    with pytest.raises(NotInvoiceable):
        invoice_issue(order=order)
    assert not Invoice.objects.exists()


def test_within_the_sellers_state_tax_is_cgst_and_sgst() -> None:
    invoice = pay(sample_order(state="Karnataka")).invoice
    rows = invoice.content["rows"]

    assert invoice.content["place_of_supply"] == "Karnataka (29)"
    assert [(r["description"], r["hsn"], r["quantity"], r["rate_bp"]) for r in rows] == [
        (TEA.name, "0902", 2, 500),
        (CUSHION.name, "6304", 1, 1200),
        ("Shipping", "996812", 1, 1800),
    ]
    heads = [(r["taxable_paise"], r["cgst_paise"], r["sgst_paise"], r["igst_paise"]) for r in rows]
    assert heads == [(95048, 2376, 2376, 0), (40402, 2424, 2424, 0), (4153, 374, 373, 0)]
    assert invoice.content["totals"] == {
        "taxable_paise": 139603,
        "cgst_paise": 5174,
        "sgst_paise": 5173,
        "igst_paise": 0,
        "tax_paise": 10347,
        "total_paise": 149950,
    }
    assert (invoice.taxable_paise, invoice.tax_paise) == (139603, 10347)


def test_to_another_state_tax_is_igst() -> None:
    invoice = pay(sample_order(state="Maharashtra")).invoice

    assert invoice.content["place_of_supply"] == "Maharashtra (27)"
    assert invoice.content["intra_state"] is False
    totals = invoice.content["totals"]
    assert (totals["cgst_paise"], totals["sgst_paise"], totals["igst_paise"]) == (0, 0, 10347)
    assert totals["total_paise"] == SAMPLE_TOTAL_PAISE


def test_without_shipping_there_is_no_shipping_row_and_zero_rated_lines_carry_no_tax() -> None:
    khadi = Line("TEX-KHADI", "Khadi Yarn", 20000, 1, 0, "5205")

    invoice = pay(order_with([khadi])).invoice

    (row,) = invoice.content["rows"]
    assert (row["taxable_paise"], row["total_paise"], row["rate_bp"]) == (20000, 20000, 0)
    assert invoice.tax_paise == 0


def test_the_pdf_shows_what_a_gst_tax_invoice_must() -> None:
    order = pay(sample_order())
    invoice = order.invoice
    payment = order.payments.get()

    text = pdf_text(pdf_read(invoice))

    for expected in [
        "Tax Invoice",
        "Loom & Leaf Retail LLP",
        "No. 14, 2nd Cross, Indiranagar",
        f"GSTIN: {SELLER_GSTIN}",
        "State: Karnataka, State code: 29",
        invoice.number,
        order.number,
        "Asha Rao",
        "12 MG Road",
        "Karnataka (29)",
        TEA.name,
        CUSHION.name,
        "0902",
        "6304",
        "996812",
        "499.00",  # the tea's unit price
        "1,396.03",  # taxable value
        "51.74",  # CGST
        "51.73",  # SGST
        "1,499.50",  # grand total
        WORDS,
        payment.merchant_order_id,
        payment.gateway_transaction_id,
        "Prices include GST",
    ]:
        assert expected in text, expected
    assert "IGST" not in text


def test_an_issued_invoice_does_not_change_when_the_world_does(settings: Any) -> None:
    order = pay(sample_order())
    before = pdf_read(order.invoice)

    settings.INVOICE_SELLER_NAME = "Someone Else Pvt Ltd"
    OrderLine.objects.filter(order=order).update(product_name="Renamed")
    Order.objects.filter(pk=order.pk).update(full_name="Another Name")
    invoice = Invoice.objects.get(order=order)

    assert pdf_read(invoice) == before
    assert "Someone Else" not in pdf_text(before)


def test_a_failure_to_issue_does_not_undo_the_payment(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("invoicing.services.invoice_content", broken)
    order = sample_order()

    pay(order)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert not Invoice.objects.exists()
    assert "could not issue the invoice" in caplog.text
    # No number was used up.
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_the_invoice_of_an_order_with_many_lines_spans_pages() -> None:
    lines = [Line(f"TEA-{i:03d}", f"Tea number {i}", 10000 + i, 1, 500, "0902") for i in range(80)]

    invoice = pay(order_with(lines)).invoice
    text = pdf_text(pdf_read(invoice))

    assert "Tea number 0 " in text
    assert "Tea number 79 " in text
    assert invoice.total_paise == sum(line.total_paise for line in lines)


def test_an_order_factory_order_without_gst_details_still_invoices() -> None:
    order = OrderFactory.create()  # the shared factory: one line, no GST rate or HSN
    PaymentFactory.create(order=order, state="COMPLETED", paid_amount_paise=order.total_paise)

    invoice = pay(order).invoice

    assert invoice.total_paise == invoice.taxable_paise == order.total_paise
    assert [r["description"] for r in invoice.content["rows"]] == ["Line product"]
