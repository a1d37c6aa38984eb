"""Sandbox settings with their defaults, read at call time so tests can override them."""

from django.conf import settings


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
