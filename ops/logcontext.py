"""What the current log lines are about: the request (or task) id and the order.

Context variables, so each thread (gunicorn gthread, Celery threads) and each asyncio task sees
its own values. The edges reset them: the request-id middleware at the start and end of every
request, the Celery signals around every task. Code in between only binds what it learns
(`bind_order` when it starts handling an order); it never needs to clean up.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
order_number_var: ContextVar[str | None] = ContextVar("order_number", default=None)
# Personal data of the bound order, masked by exact value in every log line (see ops.redact):
# regular expressions find emails and phone numbers, but not a street address or a name.
personal_values_var: ContextVar[tuple[str, ...]] = ContextVar("personal_values", default=())

# An incoming X-Request-ID is kept only if it is this harmless: no spaces, quotes or newlines
# (log injection), bounded length.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/@-]{7,127}")
# Order numbers look like LL-261127-7KQ2M; merchant order ids (LL-261127-7KQ2M-P1-3FA0) and
# refund ids start with one.
ORDER_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])LL-\d{6}-[0-9A-Z]{5}(?![0-9A-Za-z])")
PERSONAL_FIELDS = (
    "full_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
)


def new_request_id() -> str:
    return secrets.token_hex(16)


def sane_request_id(candidate: str | None) -> str | None:
    """The incoming id if it is safe to log and echo, else None (the caller makes a new one)."""
    if candidate and _SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return None


def reset(*, request_id: str | None = None) -> None:
    """Start a fresh context (a request or a task begins or ends)."""
    request_id_var.set(request_id)
    order_number_var.set(None)
    personal_values_var.set(())


def bind_order(order: Any) -> None:
    """From now on, log lines of this request or task are about `order`.

    Takes an Order (its number, and its personal data to mask) or just an order number.
    """
    if isinstance(order, str):
        order_number_var.set(order or None)
        return
    order_number_var.set(getattr(order, "number", None) or None)
    values = (str(getattr(order, name, "") or "").strip() for name in PERSONAL_FIELDS)
    # Very short values ("Goa", a one-letter line) would mask ordinary words everywhere.
    personal_values_var.set(tuple(v for v in values if len(v) >= 4))


def order_number_in(text: str) -> str | None:
    """The first order number mentioned in `text` (a merchant order or refund id counts)."""
    match = ORDER_NUMBER_RE.search(text)
    return match.group(0) if match else None
