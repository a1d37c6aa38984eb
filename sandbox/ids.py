"""PhonePe-looking identifiers: a prefix, the creation time, then random digits."""

import secrets
import string

from django.utils import timezone


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def _stamped(prefix: str) -> str:
    return f"{prefix}{timezone.now().strftime('%y%m%d%H%M%S')}{_digits(10)}"


def new_order_id() -> str:
    return _stamped("OMO")


def new_transaction_id() -> str:
    return _stamped("OM")


def new_refund_id() -> str:
    return _stamped("OMR")


def new_pay_token() -> str:
    return secrets.token_urlsafe(32)


def new_reference(length: int = 12) -> str:
    """A bank-style numeric reference (UTR, ARN, authorisation codes)."""
    return _digits(length)


def new_hex(length: int = 24) -> str:
    return secrets.token_hex(length // 2).upper()
