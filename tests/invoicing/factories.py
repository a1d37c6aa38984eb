"""Orders with GST lines, paid the way payments pays them, and refunds completed the same way."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from payments.gateways.base import GatewayRefundStatus
from payments.models import Order, OrderLine, Refund
from payments.services.orders import order_set_status
from payments.services.refunds import RefundLineRequest, refund_apply_status, refund_create
from payments.state import OrderStatus, PaymentState
from tests.factories import OrderFactory, PaymentFactory


@dataclass(frozen=True)
class Line:
    sku: str
    name: str
    unit_price_paise: int
    quantity: int
    gst_rate_bp: int
    hsn_code: str

    @property
    def total_paise(self) -> int:
        return self.unit_price_paise * self.quantity


TEA = Line("TEA-DARJ", "Darjeeling First Flush", 49900, 2, 500, "0902")
CUSHION = Line("TEX-IKAT", "Ikat Cushion Cover", 45250, 1, 1200, "6304")
SHIPPING_PAISE = 4900
# TEA + CUSHION + shipping: ₹1,499.50.
SAMPLE_TOTAL_PAISE = TEA.total_paise + CUSHION.total_paise + SHIPPING_PAISE


def order_with(
    lines: list[Line], *, shipping_paise: int = 0, state: str = "Karnataka", **fields: Any
) -> Order:
    """An order awaiting payment, with these lines and a completed payment of its total."""
    subtotal = sum(line.total_paise for line in lines)
    order = OrderFactory.create(
        with_line=False,
        subtotal_paise=subtotal,
        shipping_paise=shipping_paise,
        state=state,
        **fields,
    )
    for line in lines:
        OrderLine.objects.create(
            order=order,
            sku=line.sku,
            product_name=line.name,
            unit_price_paise=line.unit_price_paise,
            quantity=line.quantity,
            line_total_paise=line.total_paise,
            gst_rate_bp=line.gst_rate_bp,
            hsn_code=line.hsn_code,
        )
    PaymentFactory.create(
        order=order,
        state=PaymentState.COMPLETED,
        amount_paise=order.total_paise,
        paid_amount_paise=order.total_paise,
        payment_mode="UPI_COLLECT",
        gateway_transaction_id=f"OM{order.pk:08d}",
        completed_at=timezone.now(),
    )
    return order


def sample_order(**fields: Any) -> Order:
    return order_with([TEA, CUSHION], shipping_paise=SHIPPING_PAISE, **fields)


def pay(order: Order) -> Order:
    """Mark the order paid as payments does: locked, in a transaction, sending order_paid."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        order_set_status(order=locked, status=OrderStatus.PAID)
    return locked


def paid_before_invoicing(order: Order) -> Order:
    """An order that reached PAID without order_paid reaching invoicing (paid before it existed)."""
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now())
    return Order.objects.get(pk=order.pk)


def complete_refund(
    order: Order,
    *,
    lines: list[tuple[Line, int]] | None = None,
    amount_paise: int | None = None,
    reason: str = "Arrived damaged",
) -> Refund:
    """A refund requested and then reported COMPLETED by the gateway (sends refund_completed).

    Tests must not run the on-commit callbacks this registers: they queue Celery tasks.
    """
    by_sku = {line.sku: line for line in order.lines.all()}
    requests = [RefundLineRequest(by_sku[line.sku].pk, quantity) for line, quantity in lines or []]
    refund = refund_create(
        order=order,
        reason=reason,
        requested_by=None,
        lines=requests or None,
        amount_paise=amount_paise,
    )
    refund_apply_status(
        refund_id=refund.pk,
        status=GatewayRefundStatus(
            merchant_refund_id=refund.merchant_refund_id,
            refund_id=f"OMR{refund.pk:06d}",
            state="COMPLETED",
            amount_paise=refund.amount_paise,
        ),
        source="poll",
    )
    return Refund.objects.get(pk=refund.pk)


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace collapsed (a long line may wrap)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
