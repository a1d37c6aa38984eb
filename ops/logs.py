"""Logging filters and formatters, referenced by LOGGING in config/settings.py.

The filters sit on the handlers (not on loggers), so they see every record whichever logger it
came from: Django's, Celery's, urllib3's and ours.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from ops import logcontext
from ops.redact import configured_secrets, redact

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "order_number",
    "taskName",
}
# Extra attributes that are personal data or secrets by their name alone.
_SENSITIVE_EXTRA = frozenset(
    {
        "email",
        "phone",
        "full_name",
        "name",
        "address",
        "address_line1",
        "address_line2",
        "postal_code",
        "password",
        "token",
        "authorization",
        "secret",
    }
)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `order_number` to every record ("-" when there is none).

    The order number comes from, in turn: `extra={"order_number": ...}`, the order bound to this
    request or task (ops.logcontext.bind_order), or the first order number (or merchant order or
    refund id, which start with one) that the message mentions.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = logcontext.request_id_var.get() or "-"
        if not getattr(record, "order_number", None):
            number = logcontext.order_number_var.get()
            if number is None:
                number = logcontext.order_number_in(_message(record))
            record.order_number = number or "-"
        return True


class RedactFilter(logging.Filter):
    """Masks personal data and secrets in the message, the traceback and `extra` values.

    The record is rewritten in place (message formatted once, arguments dropped), so every
    handler after this one sees only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        secrets = configured_secrets()
        personal = logcontext.personal_values_var.get()
        record.msg = redact(_message(record), secrets=secrets, personal=personal)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets=secrets, personal=personal)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets=secrets, personal=personal)
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRS or name.startswith("_"):
                continue
            if name.lower() in _SENSITIVE_EXTRA:
                setattr(record, name, "[redacted]")
            elif not isinstance(value, int | float | bool | type(None)):
                # e.g. django.request's `request` (its repr has the path, maybe a signed link)
                setattr(record, name, redact(str(value), secrets=secrets, personal=personal))
        record._redacted = True
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not lose the line
        return f"{record.msg!r} {record.args!r}"


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id, order_number, extras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(order_number)s"
        )
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> str | list[str]:  # type: ignore[override]
        # python-json-logger formats the exception again from exc_info (not from the exc_text
        # RedactFilter masked), so mask here too.
        text = logging.Formatter.formatException(self, ei)
        return redact(
            text, secrets=configured_secrets(), personal=logcontext.personal_values_var.get()
        )

    def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
        log_record.pop("_redacted", None)
        return log_record
