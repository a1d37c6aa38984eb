"""Sandbox settings with their defaults, read at call time so tests can override them."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def merchant_id() -> str:
    return str(settings.SANDBOX_MERCHANT_ID)


def merchant_name() -> str:
    return str(settings.SANDBOX_MERCHANT_NAME)


def token_ttl_seconds() -> int:
    return int(settings.SANDBOX_TOKEN_TTL_SECONDS)


def slow_settle_seconds() -> int:
    """How long a `slow@ybl` payment stays pending before it succeeds."""
    return int(settings.SANDBOX_SLOW_SETTLE_SECONDS)


def refund_confirm_seconds() -> int:
    """Age at which a refund reads CONFIRMED even if nobody asked about it before."""
    return int(settings.SANDBOX_REFUND_CONFIRM_SECONDS)


def refund_complete_seconds() -> int:
    """Age at which a refund reads COMPLETED even if nobody asked about it before."""
    return int(settings.SANDBOX_REFUND_COMPLETE_SECONDS)


def webhook_url() -> str:
    """Where webhooks go; stored on each delivery, so a worker elsewhere posts to the same URL.

    Empty switches webhooks off: nothing is recorded or queued.
    """
    return str(settings.SANDBOX_WEBHOOK_URL)


def webhook_credentials() -> tuple[str, str]:
    return str(settings.SANDBOX_WEBHOOK_USERNAME), str(settings.SANDBOX_WEBHOOK_PASSWORD)


def webhook_max_attempts() -> int:
    return max(int(settings.SANDBOX_WEBHOOK_MAX_ATTEMPTS), 1)


def webhook_retry_base_seconds() -> float:
    return max(float(settings.SANDBOX_WEBHOOK_RETRY_BASE_SECONDS), 0.0)


def chaos_setting() -> object:
    """The raw SANDBOX_CHAOS value; services.chaos validates it."""
    return getattr(settings, "SANDBOX_CHAOS", None) or {}


# --- Settlement report ------------------------------------------------------------------------
# Read with getattr so the sandbox works before config/settings.py declares them.

MAX_SETTLEMENT_DAYS = 30


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


def settlement_days() -> int:
    """N in T+N: business days (Mon-Fri) between a transaction's date and its payout."""
    raw = getattr(settings, "SANDBOX_SETTLEMENT_DAYS", 1)
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ImproperlyConfigured(f"SANDBOX_SETTLEMENT_DAYS must be an integer, not {raw!r}.")
    try:
        days = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"SANDBOX_SETTLEMENT_DAYS must be an integer, not {raw!r}."
        ) from error
    if not 0 <= days <= MAX_SETTLEMENT_DAYS:
        raise ImproperlyConfigured(
            f"SANDBOX_SETTLEMENT_DAYS must be between 0 and {MAX_SETTLEMENT_DAYS}, not {raw!r}."
        )
    return days


def fee_percent() -> Decimal:
    """The gateway's fee, in percent of a payment's amount."""
    return _percent("SANDBOX_FEE_PERCENT", "2.0")


def fee_tax_percent() -> Decimal:
    """GST charged on the fee, in percent of the fee."""
    return _percent("SANDBOX_FEE_TAX_PERCENT", "18.0")
