"""The receipt email: sent once per paid order."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from payments.models import Order
from payments.state import OrderStatus

logger = logging.getLogger(__name__)


def order_send_receipt(*, order_id: int) -> bool:
    """Send the paid order's receipt unless it was sent already. Returns whether it sent now.

    The order is claimed by stamping `receipt_sent_at` in a conditional update, so two workers
    (or a redelivered task) cannot both send. If sending fails, the stamp is taken back and the
    error raised, so the task's retry sends it later.
    """
    claimed = Order.objects.filter(
        pk=order_id, receipt_sent_at__isnull=True, paid_at__isnull=False
    ).update(receipt_sent_at=timezone.now())
    if not claimed:
        return False
    order = Order.objects.prefetch_related("lines", "payments").get(pk=order_id)
    try:
        _build_receipt(order).send()
    except Exception:
        with transaction.atomic():
            Order.objects.filter(pk=order_id).update(receipt_sent_at=None)
        raise
    logger.info("receipt for order %s sent", order.number)
    return True


def _build_receipt(order: Order) -> EmailMultiAlternatives:
    payment = order.payments.filter(state="COMPLETED").order_by("completed_at").first()
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "payment": payment,
        "order_url": settings.SITE_URL + order.get_access_url(),
        "shop_name": settings.SHOP_NAME,
        "support_email": settings.SHOP_SUPPORT_EMAIL,
        "is_paid": order.status == OrderStatus.PAID,
    }
    subject = f"{settings.SHOP_NAME}: receipt for order {order.number}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("payments/email/receipt.txt", context),
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string("payments/email/receipt.html", context), "text/html"
    )
    return message
