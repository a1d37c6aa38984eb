"""Environments for servers and workers the failure tests start in other processes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection


def production_env(folder: Path, **overrides: str) -> dict[str, str]:
    """Everything DJANGO_ENV=production requires, with nothing from the test process's own
    environment (which holds the test settings' defaults)."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,shop.example",
        "SITE_URL": "https://shop.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/unused",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "CACHE_URL": "redis://127.0.0.1:9/1",
        "EMAIL_URL": "smtp+tls://mailer:mail-password-1@127.0.0.1:9",
        "PHONEPE_CLIENT_ID": "LIVECLIENT",
        "PHONEPE_CLIENT_SECRET": "live-client-secret-1",
        "PHONEPE_CLIENT_VERSION": "1",
        "PHONEPE_WEBHOOK_USERNAME": "live_hooks",
        "PHONEPE_WEBHOOK_PASSWORD": "live-hooks-password-1",
        "INVOICE_SELLER_NAME": "Loom and Leaf Handlooms Pvt Ltd",
        "INVOICE_SELLER_ADDRESS": r"1 Residency Road\nBengaluru 560025",
        "INVOICE_SELLER_GSTIN": "29AAGCB7383J1Z4",
        "INVOICE_SELLER_STATE": "Karnataka",
        "INVOICE_FILES_ROOT": str(folder / "documents"),
        "STATIC_ROOT": str(folder / "static"),
        "LOG_LEVEL": "INFO",
        **overrides,
    }


def subprocess_database_url() -> str:
    """The run's test database, as a URL for a server or worker in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def development_env(folder: Path, *, broker_url: str, **overrides: str) -> dict[str, str]:
    """The test settings (sandbox on, webhooks to nowhere) on the run's test database and a
    private broker, with private mail and document folders."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": subprocess_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CELERY_EMAIL_QUEUE": settings.CELERY_EMAIL_QUEUE,
        "EMAIL_URL": f"filemail:///{folder / 'mail'}",
        "INVOICE_FILES_ROOT": str(folder / "documents"),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        **overrides,
    }
