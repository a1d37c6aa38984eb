"""What operators do to orders from admin. Every action is recorded on the order's timeline."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from payments.exceptions import PaymentsError
from payments.models import Order, OrderEvent
from payments.services.orders import order_set_status
from payments.state import (
    FULFILMENT_TRANSITIONS,
    FulfilmentStatus,
    OrderStatus,
    PaymentState,
)


class OperationNotAllowed(PaymentsError):
    message = "That cannot be done to this order."


RESOLUTIONS: dict[str, str] = {
    OrderStatus.PAID: "Keep the payment and fulfil the order",
    OrderStatus.CANCELLED: "Cancel the order (refund any payment separately)",
}


def _record(order: Order, actor: User, message: str, kind: str = OrderEvent.Kind.OPERATOR) -> None:
    OrderEvent.objects.create(order=order, kind=kind, actor=actor.get_username(), message=message)


def order_cancel(*, order: Order, actor: User, note: str = "") -> Order:
    """Cancel an unpaid order and put its stock back, once.

    Refused while a payment could still complete (the shopper may be paying right now): re-verify
    it or let it expire first.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in OrderStatus.payable():
            raise OperationNotAllowed(
                f"Only unpaid orders can be cancelled; {order.number} is "
                f"{order.get_status_display().lower()}."
            )
        if order.payments.filter(state__in=PaymentState.live()).exists():
            raise OperationNotAllowed(
                f"A payment for {order.number} is still in progress; re-verify it or wait for it "
                "to expire before cancelling."
            )
        order_set_status(order=order, status=OrderStatus.CANCELLED)
        _record(order, actor, f"Cancelled the order; stock released. {note}".strip())
    return order


def order_set_fulfilment(
    *, order: Order, actor: User, status: str, tracking_reference: str = ""
) -> Order:
    """Mark a paid order packed (fulfilled) or shipped; only forward steps."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise OperationNotAllowed(
                f"Only paid orders are fulfilled; {order.number} is "
                f"{order.get_status_display().lower()}."
            )
        if status not in FULFILMENT_TRANSITIONS[order.fulfilment_status]:
            raise OperationNotAllowed(
                f"{order.number} is already {order.get_fulfilment_status_display().lower()}."
            )
        now = timezone.now()
        order.fulfilment_status = status
        if order.fulfilled_at is None:
            order.fulfilled_at = now
        if status == FulfilmentStatus.SHIPPED:
            order.shipped_at = now
            order.tracking_reference = tracking_reference.strip()[:100]
        order.save()
        label = FulfilmentStatus(status).label
        tracking = f" (tracking {order.tracking_reference})" if order.tracking_reference else ""
        _record(order, actor, f"Marked {label.lower()}{tracking}.", kind=OrderEvent.Kind.FULFILMENT)
    return order


def order_resolve(*, order: Order, actor: User, resolution: str, note: str) -> Order:
    """Close a NEEDS_ATTENTION case with a decision and a note (kept on the timeline)."""
    note = (note or "").strip()
    if not note:
        raise OperationNotAllowed("Write down what was decided and why.")
    if resolution not in RESOLUTIONS:
        raise OperationNotAllowed("Choose how to resolve the order.")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != OrderStatus.NEEDS_ATTENTION:
            raise OperationNotAllowed(f"{order.number} does not need attention.")
        order_set_status(order=order, status=resolution)
        _record(order, actor, f"Resolved: {RESOLUTIONS[resolution]}. Note: {note}")
    return order


def order_record_reverify(*, order: Order, actor: User, outcome: str) -> None:
    _record(order, actor, f"Re-verified the payment with the gateway: {outcome}")
