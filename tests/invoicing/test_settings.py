"""The seller's GST identity: required in production, checked at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from invoicing.checks import check_seller

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings;"
    "print(settings.INVOICE_SELLER_GSTIN, settings.INVOICE_FILES_ROOT)"
)
# Everything else production requires (config/settings.py REQUIRED_IN_PRODUCTION), so that the
# seller's details are the only thing missing.
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "shop.example",
    "SITE_URL": "https://shop.example",
    "DATABASE_URL": "postgres://shop@127.0.0.1:5432/shop",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@127.0.0.1:587",
    "PHONEPE_CLIENT_ID": "live-id",
    "PHONEPE_CLIENT_SECRET": "live-secret",
    "PHONEPE_CLIENT_VERSION": "1",
    "PHONEPE_WEBHOOK_USERNAME": "live_hooks",
    "PHONEPE_WEBHOOK_PASSWORD": "liveHooks2026",
}
SELLER = {
    "INVOICE_SELLER_NAME": "Loom and Leaf Handlooms Pvt Ltd",
    "INVOICE_SELLER_ADDRESS": r"1 Residency Road\nBengaluru 560025",
    "INVOICE_SELLER_GSTIN": "29AAGCB7383J1Z4",
    "INVOICE_SELLER_STATE": "Karnataka",
    "INVOICE_FILES_ROOT": "/srv/loomleaf/invoices",
}


def start(**env: str) -> subprocess.CompletedProcess[str]:
    ours = ("PHONEPE_", "SANDBOX_", "DJANGO_", "INVOICE_", "SECRET_KEY")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_needs_the_sellers_details() -> None:
    result = start(**PRODUCTION)

    assert result.returncode != 0
    assert "Set the INVOICE_SELLER_NAME environment variable" in result.stderr


def test_production_starts_with_the_sellers_details() -> None:
    result = start(**PRODUCTION, **SELLER)

    assert result.returncode == 0, result.stderr
    assert "29AAGCB7383J1Z4 /srv/loomleaf/invoices" in result.stdout


def test_development_has_a_sandbox_seller() -> None:
    result = start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("29ABCDE1234F1ZW ")


def ids() -> set[str]:
    return {message.id or "" for message in check_seller()}


def test_the_test_seller_passes_the_checks() -> None:
    assert ids() == set()


def test_a_malformed_gstin_is_an_error(settings: Any) -> None:
    settings.INVOICE_SELLER_GSTIN = "29ABCDE1234F1Z"

    assert ids() == {"invoicing.E002"}


def test_a_gstin_of_another_state_is_an_error(settings: Any) -> None:
    settings.INVOICE_SELLER_STATE = "Kerala"

    assert ids() == {"invoicing.E003"}


def test_an_unknown_state_is_an_error(settings: Any) -> None:
    settings.INVOICE_SELLER_STATE = "Atlantis"

    assert ids() == {"invoicing.E001"}


def test_a_gstin_failing_its_checksum_is_a_warning(settings: Any) -> None:
    settings.INVOICE_SELLER_GSTIN = "29ABCDE1234F1Z5"

    assert ids() == {"invoicing.W001"}


def test_long_number_prefixes_are_refused(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.INVOICE_CREDIT_NOTE_PREFIX = "LLCN"

    ids = [message.id for message in run_checks(tags=["invoicing"])]

    assert "invoicing.E004" in ids


def test_numbers_fit_gst_sixteen_characters() -> None:
    from invoicing.models import DocumentKind
    from invoicing.numbering import format_number

    assert len(format_number(DocumentKind.CREDIT_NOTE, "2026-27", 999999)) <= 16
    assert format_number(DocumentKind.INVOICE, "2026-27", 1) == "LL/26-27/000001"
