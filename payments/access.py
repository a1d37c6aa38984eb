"""Who may see an order: the session that placed it, or whoever holds its signed link."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from payments.models import ORDER_ACCESS_SALT, Order
from payments.state import OrderStatus

SESSION_KEY = "order_numbers"


def order_grant_session_access(request: HttpRequest, order: Order) -> None:
    numbers = list(request.session.get(SESSION_KEY, []))
    if order.number not in numbers:
        numbers = [*numbers[-19:], order.number]
        request.session[SESSION_KEY] = numbers


def order_session_has_access(request: HttpRequest, order: Order) -> bool:
    return order.number in request.session.get(SESSION_KEY, [])


def orders_awaiting_payment(request: HttpRequest) -> list[Order]:
    """This session's orders that can still be paid (e.g. the shopper closed the gateway's tab)."""
    numbers = request.session.get(SESSION_KEY, [])
    if not numbers:
        return []
    payable = Order.objects.filter(number__in=numbers, status__in=OrderStatus.payable())
    return list(payable.order_by("-created_at")[:3])


def order_number_from_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=ORDER_ACCESS_SALT).unsign(token)
    except signing.BadSignature:
        return None
