"""The snapshot printed on a document: built once, when the document is issued, then stored.

Everything the PDF shows is here, already computed (tax per row, totals, words), so rendering is
a pure function of this snapshot. Amounts are integer paise; dates are ISO strings in IST.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.conf import settings

from invoicing import tax
from invoicing.fiscal import india_date
from invoicing.states import same_state, state_code, state_with_code
from invoicing.words import amount_in_words
from payments.models import Order, Payment, Refund
from payments.state import PaymentState

CONTENT_VERSION = 1
PRICES_INCLUDE_GST = "Prices include GST."
REVERSE_CHARGE = "Tax payable on reverse charge: No."


class Party(TypedDict):
    name: str
    address_lines: list[str]
    state: str
    state_code: str
    gstin: str


class Row(TypedDict):
    description: str
    hsn: str
    quantity: int | None
    unit_price_paise: int | None
    rate_bp: int | None  # None: several rates (an amount refunded against a whole invoice)
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    total_paise: int


class Totals(TypedDict):
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    tax_paise: int
    total_paise: int


class Content(TypedDict, total=False):
    version: int
    kind: str
    title: str
    number: str
    date: str
    financial_year: str
    seller: Party
    buyer: Party
    order_number: str
    order_date: str
    place_of_supply: str
    intra_state: bool
    rows: list[Row]
    totals: Totals
    amount_in_words: str
    payment_reference: str
    notes: list[str]
    # Credit notes only.
    original_invoice_number: str
    original_invoice_date: str
    refund_reference: str
    reason: str


def seller_party() -> Party:
    return Party(
        name=settings.INVOICE_SELLER_NAME,
        address_lines=[
            line.strip() for line in settings.INVOICE_SELLER_ADDRESS.splitlines() if line.strip()
        ],
        state=settings.INVOICE_SELLER_STATE,
        state_code=state_code(settings.INVOICE_SELLER_STATE),
        gstin=settings.INVOICE_SELLER_GSTIN,
    )


def buyer_party(order: Order) -> Party:
    lines = [order.address_line1, order.address_line2, f"{order.city} {order.postal_code}"]
    lines.append(f"{order.state}, India" if order.country == "IN" else order.state)
    return Party(
        name=order.full_name,
        address_lines=[line.strip() for line in lines if line.strip()],
        state=order.state,
        state_code=state_code(order.state),
        gstin="",  # the shop sells to consumers (B2C)
    )


def _row(
    *,
    description: str,
    hsn: str,
    quantity: int | None,
    unit_price_paise: int | None,
    rate_bp: int | None,
    split: tax.TaxSplit,
) -> Row:
    return Row(
        description=description,
        hsn=hsn,
        quantity=quantity,
        unit_price_paise=unit_price_paise,
        rate_bp=rate_bp,
        taxable_paise=split.taxable_paise,
        cgst_paise=split.cgst_paise,
        sgst_paise=split.sgst_paise,
        igst_paise=split.igst_paise,
        total_paise=split.total_paise,
    )


def _totals(rows: list[Row]) -> Totals:
    split = tax.total_of(
        tax.TaxSplit(r["taxable_paise"], r["cgst_paise"], r["sgst_paise"], r["igst_paise"])
        for r in rows
    )
    return Totals(
        taxable_paise=split.taxable_paise,
        cgst_paise=split.cgst_paise,
        sgst_paise=split.sgst_paise,
        igst_paise=split.igst_paise,
        tax_paise=split.tax_paise,
        total_paise=split.total_paise,
    )


def _payment_reference(payment: Payment | None) -> str:
    if payment is None:
        return ""
    parts = [f"PhonePe merchant order id {payment.merchant_order_id}"]
    if payment.gateway_transaction_id:
        parts.append(f"transaction id {payment.gateway_transaction_id}")
    if payment.payment_mode:
        parts.append(f"mode {payment.payment_mode}")
    return ", ".join(parts)


def _date(moment: datetime | None) -> str:
    return india_date(moment).isoformat() if moment else ""


def invoice_content(*, order: Order, number: str, year: str, issued_at: datetime) -> Content:
    """The tax invoice of a paid order: a row per line, shipping as a service row, totals that
    equal the order's total (checked), tax taken out of the GST-inclusive prices."""
    seller = seller_party()
    intra = same_state(order.state, seller["state"])
    rows = [
        _row(
            description=line.product_name,
            hsn=line.hsn_code,
            quantity=line.quantity,
            unit_price_paise=line.unit_price_paise,
            rate_bp=line.gst_rate_bp,
            split=tax.split_inclusive(line.line_total_paise, line.gst_rate_bp, intra_state=intra),
        )
        for line in order.lines.order_by("id")
    ]
    if order.shipping_paise:
        rate = settings.INVOICE_SHIPPING_GST_RATE_BP
        rows.append(
            _row(
                description="Shipping",
                hsn=settings.INVOICE_SHIPPING_SAC,
                quantity=1,
                unit_price_paise=order.shipping_paise,
                rate_bp=rate,
                split=tax.split_inclusive(order.shipping_paise, rate, intra_state=intra),
            )
        )
    totals = _totals(rows)
    if totals["total_paise"] != order.total_paise:
        raise ValueError(
            f"Order {order.number}: rows add up to {totals['total_paise']} paise, "
            f"the order total is {order.total_paise}."
        )
    payment = order.payments.filter(state=PaymentState.COMPLETED).order_by("completed_at").first()
    return Content(
        version=CONTENT_VERSION,
        kind="invoice",
        title="Tax Invoice",
        number=number,
        date=_date(issued_at),
        financial_year=year,
        seller=seller,
        buyer=buyer_party(order),
        order_number=order.number,
        order_date=_date(order.created_at),
        place_of_supply=state_with_code(order.state),
        intra_state=intra,
        rows=rows,
        totals=totals,
        amount_in_words=amount_in_words(totals["total_paise"]),
        payment_reference=_payment_reference(payment),
        notes=[PRICES_INCLUDE_GST, REVERSE_CHARGE],
    )


def _single_rate(invoice: Content) -> int | None:
    rates = {row["rate_bp"] for row in invoice["rows"] if row["total_paise"]}
    return rates.pop() if len(rates) == 1 else None


def credit_note_content(
    *,
    refund: Refund,
    invoice: Content,
    tax_reversed_before_paise: int,
    number: str,
    year: str,
    issued_at: datetime,
) -> Content:
    """The credit note of a completed refund, against the order's invoice.

    A refund of lines gets a row per refunded line, each split at its own rate like the invoice
    row. A refund of an amount gets one row, "Refund against invoice <n>", whose tax is the
    invoice's tax in proportion (tax = amount x invoice tax / invoice total, rounded half up),
    never more than the invoice's tax not already reversed by earlier credit notes. Either way
    the total is the refund's amount and the tax heads (CGST+SGST or IGST) follow the invoice.
    """
    intra = bool(invoice["intra_state"])
    rows = [
        _row(
            description=line.order_line.product_name,
            hsn=line.order_line.hsn_code,
            quantity=line.quantity,
            unit_price_paise=line.order_line.unit_price_paise,
            rate_bp=line.order_line.gst_rate_bp,
            split=tax.split_inclusive(
                line.amount_paise, line.order_line.gst_rate_bp, intra_state=intra
            ),
        )
        for line in refund.lines.select_related("order_line").order_by("order_line_id")
    ]
    if sum(row["total_paise"] for row in rows) != refund.amount_paise:
        # No lines, or lines that do not make up the amount: credit the amount as a whole.
        invoice_totals = invoice["totals"]
        split = tax.split_in_proportion(
            refund.amount_paise,
            document_tax_paise=invoice_totals["tax_paise"],
            document_total_paise=invoice_totals["total_paise"],
            intra_state=intra,
            tax_cap_paise=max(invoice_totals["tax_paise"] - tax_reversed_before_paise, 0),
        )
        rows = [
            _row(
                description=f"Refund against invoice {invoice['number']}",
                hsn="",
                quantity=None,
                unit_price_paise=None,
                rate_bp=_single_rate(invoice),
                split=split,
            )
        ]
    totals = _totals(rows)
    return Content(
        version=CONTENT_VERSION,
        kind="credit_note",
        title="Credit Note",
        number=number,
        date=_date(issued_at),
        financial_year=year,
        seller=seller_party(),
        buyer=invoice["buyer"],
        order_number=invoice["order_number"],
        order_date=invoice["order_date"],
        place_of_supply=invoice["place_of_supply"],
        intra_state=intra,
        rows=rows,
        totals=totals,
        amount_in_words=amount_in_words(totals["total_paise"]),
        payment_reference=f"PhonePe merchant refund id {refund.merchant_refund_id}",
        notes=[PRICES_INCLUDE_GST, REVERSE_CHARGE],
        original_invoice_number=invoice["number"],
        original_invoice_date=invoice["date"],
        refund_reference=refund.merchant_refund_id,
        reason=refund.reason,
    )
