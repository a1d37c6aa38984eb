"""Creating orders and moving them between statuses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments import signals
from payments.models import Order, OrderLine
from payments.state import OrderStatus, order_transition_allowed

# Crockford's base32 without the look-alikes I, L, O, U: easy to read out over the phone.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class LineItem:
    sku: str
    name: str
    unit_price_paise: int
    quantity: int
    gst_rate_bp: int = 0
    hsn_code: str = ""


@dataclass(frozen=True)
class CustomerDetails:
    full_name: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str


def _new_order_number() -> str:
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
    return f"LL-{timezone.localdate():%y%m%d}-{suffix}"


def order_create(
    *,
    customer: CustomerDetails,
    lines: list[LineItem],
    shipping_paise: int,
    currency: str = "INR",
    account: User | None = None,
) -> Order:
    """Create an order awaiting payment, with totals computed here from the lines.

    Must run inside the caller's transaction (the caller reserves stock in the same one).
    """
    if not lines:
        raise ValueError("An order needs at least one line.")
    if any(line.quantity < 1 or line.unit_price_paise < 0 for line in lines):
        raise ValueError("Line quantities must be positive and prices not negative.")
    subtotal = sum(line.unit_price_paise * line.quantity for line in lines)
    hold = timedelta(seconds=settings.PAYMENTS_ORDER_HOLD_SECONDS)
    for _ in range(5):
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    number=_new_order_number(),
                    customer=account if account is not None and account.pk else None,
                    currency=currency,
                    subtotal_paise=subtotal,
                    shipping_paise=shipping_paise,
                    total_paise=subtotal + shipping_paise,
                    reserved_until=timezone.now() + hold,
                    full_name=customer.full_name,
                    email=customer.email,
                    phone=customer.phone,
                    address_line1=customer.address_line1,
                    address_line2=customer.address_line2,
                    city=customer.city,
                    state=customer.state,
                    postal_code=customer.postal_code,
                )
            break
        except IntegrityError:  # an order number collision: draw another
            continue
    else:  # pragma: no cover - 32^5 numbers a day
        raise RuntimeError("Could not allocate an order number.")
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=line.sku,
            product_name=line.name,
            unit_price_paise=line.unit_price_paise,
            quantity=line.quantity,
            line_total_paise=line.unit_price_paise * line.quantity,
            gst_rate_bp=line.gst_rate_bp,
            hsn_code=line.hsn_code,
        )
        for line in lines
    )
    return order


def order_set_status(*, order: Order, status: str, reason: str = "") -> bool:
    """Move a locked order to `status` if the state table allows it. Returns whether it moved.

    The caller holds the order's row lock inside a transaction. Reaching PAID stamps `paid_at`
    and sends `order_paid`; reaching EXPIRED or CANCELLED stamps `released_at` and sends
    `order_released`; NEEDS_ATTENTION records `reason`. Each signal fires once per order, since
    these states cannot be entered twice.
    """
    if status == order.status:
        if status == OrderStatus.NEEDS_ATTENTION and reason:
            _add_attention_reason(order, reason)
            order.save(update_fields=["attention_reason", "updated_at"])
        return False
    if not order_transition_allowed(order.status, status):
        return False
    now = timezone.now()
    order.status = status
    fields = ["status", "updated_at"]
    if status == OrderStatus.PAID and order.paid_at is None:
        order.paid_at = now
        fields.append("paid_at")
    if status in OrderStatus.released() and order.released_at is None:
        order.released_at = now
        fields.append("released_at")
    if status == OrderStatus.NEEDS_ATTENTION:
        _add_attention_reason(order, reason or "Needs an operator's review.")
        fields.append("attention_reason")
    order.save(update_fields=fields)
    if status == OrderStatus.PAID:
        signals.order_paid.send(sender=Order, order=order)
    if "released_at" in fields:
        signals.order_released.send(sender=Order, order=order)
    return True


def _add_attention_reason(order: Order, reason: str) -> None:
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = f"[{stamp}] {reason}"
    order.attention_reason = f"{order.attention_reason}\n{line}".strip()
