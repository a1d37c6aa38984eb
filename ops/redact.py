"""Masking personal data and secrets in text that is about to be logged.

Guarantees (tested with hypothesis in tests/ops/test_redact.py): an email address or an Indian
mobile number anywhere in a message never survives; a configured secret (Django's SECRET_KEY,
PhonePe's client secret and webhook password, the webhook Authorization hash, database, broker and
mail passwords) never survives; bearer tokens, `password=`/`"token": "..."` style pairs, card-like
numbers (Luhn-valid, 13-19 digits) and signed order links are masked. Masking is idempotent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Indian mobiles: 10 digits from 6-9, maybe +91/91/0 in front, maybe one space or dash inside.
PHONE = re.compile(r"(?<![\w+])(?:\+?91[\s\-]?|0)?[6-9]\d{4}[\s\-]?\d{5}(?![\w])")
BEARER = re.compile(r"(?i)\b((?:O-)?Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=\-]{8,}")
SECRET_PAIR = re.compile(
    r"""(?ix)
    (["']?\b(?:password|passwd|pwd|secret|client_secret|api[_-]?key|token|access_token|
        refresh_token|authorization|x-verify|sessionid|csrftoken|csrfmiddlewaretoken)\b["']?
     \s*[:=]\s*)
    (["']?)(?:(?:O-)?Bearer\s+|Basic\s+|Token\s+)?(?!\[redacted\])[^\s"',;&}]+
    """
)
CARD = re.compile(r"(?<![\w])[2-6]\d{3}(?:[ \-]?\d){9,15}(?![\w])")
# Signed order links are bearer credentials for an order page (personal data behind them).
ORDER_LINK = re.compile(r"(/orders/)(?!\[token\])[^/\s?#\"'<>]+")
MIN_SECRET_LENGTH = 6


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group(0)


def redact(text: str, *, secrets: Iterable[str] = (), personal: Iterable[str] = ()) -> str:
    """`text` with personal data and secrets replaced by [email], [phone], [redacted]..."""
    for value in sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    for value in sorted({p for p in personal if p}, key=len, reverse=True):
        text = re.sub(re.escape(value), "[personal]", text, flags=re.IGNORECASE)
    text = EMAIL.sub("[email]", text)
    text = SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    text = BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    text = ORDER_LINK.sub(r"\1[token]", text)
    text = CARD.sub(_mask_card, text)
    return PHONE.sub("[phone]", text)


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


@lru_cache(maxsize=1)
def configured_secrets() -> tuple[str, ...]:
    """Every secret the settings hold, read once (settings do not change in a running process)."""
    from django.conf import settings

    found = [
        getattr(settings, name, "")
        for name in (
            "SECRET_KEY",
            "PHONEPE_CLIENT_SECRET",
            "PHONEPE_WEBHOOK_PASSWORD",
            "SANDBOX_CLIENT_SECRET",
            "SANDBOX_WEBHOOK_PASSWORD",
        )
    ]
    for user_name, password_name in (
        ("PHONEPE_WEBHOOK_USERNAME", "PHONEPE_WEBHOOK_PASSWORD"),
        ("SANDBOX_WEBHOOK_USERNAME", "SANDBOX_WEBHOOK_PASSWORD"),
    ):
        # What PhonePe sends as the webhook's Authorization header.
        pair = f"{getattr(settings, user_name, '')}:{getattr(settings, password_name, '')}"
        found.append(hashlib.sha256(pair.encode()).hexdigest())
    found += [db.get("PASSWORD") or "" for db in getattr(settings, "DATABASES", {}).values()]
    found.append(_url_password(str(getattr(settings, "CELERY_BROKER_URL", "") or "")))
    for cache in getattr(settings, "CACHES", {}).values():
        location = cache.get("LOCATION", "")
        found.append(_url_password(location if isinstance(location, str) else ""))
    for mailer in getattr(settings, "MAILERS", {}).values():
        found.append(str(mailer.get("OPTIONS", {}).get("password") or ""))
    return tuple(str(s) for s in found if s)
