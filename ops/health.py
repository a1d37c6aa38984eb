"""Is the database reachable, is the broker reachable: what /readyz reports.

Each check returns a CheckResult and never raises; the error text is redacted (a connection
error may quote a URL) and short, since a load balancer logs it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from ops.redact import configured_secrets, redact

CHECK_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str
    duration_ms: int

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "duration_ms": self.duration_ms}


def _describe(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return redact(text, secrets=configured_secrets())


def check_database(alias: str = "default") -> CheckResult:
    started = time.monotonic()
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        # Drop the broken connection so the next request starts a fresh one.
        connection.close_if_unusable_or_obsolete()
        return CheckResult(False, _describe(exc), _ms(started))
    return CheckResult(True, connection.vendor, _ms(started))


def check_broker() -> CheckResult:
    started = time.monotonic()
    url: str = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            detail = _check_folders()
        else:
            from config.celery import app

            with app.connection_for_write(url) as conn:
                conn.ensure_connection(
                    max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT_SECONDS
                )
                detail = str(conn.transport.driver_type)
    except Exception as exc:
        return CheckResult(False, _describe(exc), _ms(started))
    return CheckResult(True, detail, _ms(started))


def _check_folders() -> str:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "processed_folder"):
        folder = Path(str(options[key]))
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise OSError(f"broker folder {folder} is missing or not writable")
    return "filesystem"


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
