"""Emails to the customer: the receipt (once per paid order) and the refund notice (once per
completed refund). Each is recorded on the order's timeline."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from ops.logcontext import bind_order
from payments import signals
from payments.models import Order, OrderEvent, Refund
from payments.state import OrderStatus, PaymentState

logger = logging.getLogger(__name__)


def order_send_receipt(*, order_id: int, force: bool = False, actor: str = "system") -> bool:
    """Send the paid order's receipt unless it was sent already. Returns whether it sent now.

    The order is claimed by stamping `receipt_sent_at` in a conditional update, so two workers
    (or a redelivered task) cannot both send. If sending fails, the stamp is taken back and the
    error raised, so the task's retry sends it later. `force` (an operator's "resend") sends
    again regardless.
    """
    unsent = Order.objects.filter(pk=order_id, paid_at__isnull=False)
    if not force:
        unsent = unsent.filter(receipt_sent_at__isnull=True)
    previous = Order.objects.filter(pk=order_id).values_list("receipt_sent_at", flat=True).first()
    if not unsent.update(receipt_sent_at=timezone.now()):
        return False
    order = Order.objects.prefetch_related("lines", "payments").get(pk=order_id)
    bind_order(order)  # a mail server's error quoting the recipient is masked in the logs
    try:
        message = _build_receipt(order)
        signals.receipt_email_prepared.send(sender=Order, order=order, message=message)
        message.send()
    except Exception:
        Order.objects.filter(pk=order_id).update(receipt_sent_at=previous)
        raise
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.EMAIL,
        actor=actor,
        message=f"{'Receipt sent again' if force else 'Receipt sent'} to {order.email}.",
    )
    logger.info("receipt for order %s sent", order.number)
    return True


def refund_send_email(*, refund_id: int) -> bool:
    """Tell the customer a refund completed, at most once per refund (same claim as above)."""
    claimed = Refund.objects.filter(
        pk=refund_id, email_sent_at__isnull=True, completed_at__isnull=False
    ).update(email_sent_at=timezone.now())
    if not claimed:
        return False
    refund = Refund.objects.select_related("order", "payment").get(pk=refund_id)
    order = refund.order
    try:
        message = _email(
            subject=f"{settings.SHOP_NAME}: refund for order {order.number}",
            template="payments/email/refund",
            to=order.email,
            context={
                "order": order,
                "refund": refund,
                "lines": list(refund.lines.select_related("order_line")),
                "order_url": settings.SITE_URL + order.get_access_url(),
            },
        )
        signals.refund_email_prepared.send(sender=Refund, refund=refund, message=message)
        message.send()
    except Exception:
        Refund.objects.filter(pk=refund_id).update(email_sent_at=None)
        raise
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.EMAIL,
        actor="system",
        message=f"Refund notice for {refund.merchant_refund_id} sent to {order.email}.",
    )
    return True


# An email whose task was lost (broker down when the order was paid, a killed worker) is owed
# once this long has passed; sending claims it, so a late original task cannot send it twice.
EMAIL_OWED_AFTER = timedelta(minutes=2)


def emails_owed(*, limit: int) -> tuple[list[int], list[int]]:
    """Paid orders without their receipt and completed refunds without their notice."""
    before = timezone.now() - EMAIL_OWED_AFTER
    orders = Order.objects.filter(paid_at__lte=before, receipt_sent_at__isnull=True)
    refunds = Refund.objects.filter(completed_at__lte=before, email_sent_at__isnull=True)
    return (
        list(orders.values_list("pk", flat=True)[:limit]),
        list(refunds.values_list("pk", flat=True)[:limit]),
    )


def _build_receipt(order: Order) -> EmailMultiAlternatives:
    payment = order.payments.filter(state=PaymentState.COMPLETED).order_by("completed_at").first()
    return _email(
        subject=f"{settings.SHOP_NAME}: receipt for order {order.number}",
        template="payments/email/receipt",
        to=order.email,
        context={
            "order": order,
            "lines": list(order.lines.all()),
            "payment": payment,
            "order_url": settings.SITE_URL + order.get_access_url(),
            "is_paid": order.status == OrderStatus.PAID,
        },
    )


def _email(
    *, subject: str, template: str, to: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    context = {
        **context,
        "shop_name": settings.SHOP_NAME,
        "support_email": settings.SHOP_SUPPORT_EMAIL,
    }
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
