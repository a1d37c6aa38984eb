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
