"""The backoffice's settings, read with defaults so the app works before settings declare them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# "Days" for operators (today's orders, settlement dates) are Indian days, whatever TIME_ZONE is.
BUSINESS_TZ = ZoneInfo("Asia/Kolkata")

MAX_RANGE_DAYS = 366


def _percent(name: str, default: str) -> Decimal:
    raw = getattr(settings, name, default)
    try:
        # str() first: a float setting (2.0) must become Decimal("2.0"), not its binary expansion.
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError) as error:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from error
    if not value.is_finite() or not 0 <= value <= 100:
        raise ImproperlyConfigured(f"{name} must be between 0 and 100, not {raw!r}.")
    return value


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = getattr(settings, name, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise ImproperlyConfigured(f"{name} must be an integer from {low} to {high}, not {raw!r}.")
    return raw


def fee_percent() -> Decimal:
    """The gateway's fee, in percent of a payment's amount."""
    return _percent("BACKOFFICE_FEE_PERCENT", "2.0")


def fee_tax_percent() -> Decimal:
    """GST on the gateway's fee, in percent of the fee."""
    return _percent("BACKOFFICE_FEE_TAX_PERCENT", "18.0")


def settlement_days() -> int:
    """N in T+N: business days (Mon-Fri) from a payment's completion to its payout."""
    return _int("BACKOFFICE_SETTLEMENT_DAYS", 1, 0, 30)


def reconcile_max_items() -> int:
    """At most this many gateway calls per reconciliation run (one per payment or refund)."""
    return _int("BACKOFFICE_RECONCILE_MAX_ITEMS", 2000, 1, 100_000)
