"""Panels that the payments admin shows on an order's page (settings.PAYMENTS_ORDER_PANELS)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from backoffice.selectors import order_settlement
from payments.models import Order


def order_settlement_panel(order: Order) -> tuple[str, SafeString] | None:
    """The order's expected and actual settlement, or nothing for an order never paid."""
    settlement = order_settlement(order)
    if not settlement["payments"] and not settlement["refunds"]:
        return None
    html = render_to_string("backoffice/_order_settlement.html", {"settlement": settlement})
    return ("Settlement", SafeString(html))
