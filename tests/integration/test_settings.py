"""Start-up refuses unsafe configurations with a clear message (each case in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup();"
    "from django.conf import settings; from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/sandbox/'); print('sandbox mounted')\n"
    "except Resolver404:\n    print('sandbox absent')\n"
    "print('apps:', ','.join(settings.INSTALLED_APPS))"
)


def start(**env: str) -> subprocess.CompletedProcess[str]:
    ours = ("PHONEPE_", "SANDBOX_", "DJANGO_")
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


LIVE_CREDENTIALS = {
    "PHONEPE_ENV": "production",
    "PHONEPE_CLIENT_ID": "live-id",
    "PHONEPE_CLIENT_SECRET": "live-secret",
    "PHONEPE_CLIENT_VERSION": "3",
    "PHONEPE_WEBHOOK_USERNAME": "live_hooks",
    "PHONEPE_WEBHOOK_PASSWORD": "liveHooks2026",
}


def test_development_defaults_mount_the_sandbox() -> None:
    result = start()
    assert result.returncode == 0, result.stderr
    assert "sandbox mounted" in result.stdout


def test_the_sandbox_refuses_to_run_against_production_phonepe() -> None:
    result = start(**LIVE_CREDENTIALS, SANDBOX_ENABLED="true")
    assert result.returncode != 0
    assert "The sandbox gateway cannot be switched on with PHONEPE_ENV=production" in result.stderr


def test_production_phonepe_switches_the_sandbox_off() -> None:
    result = start(**LIVE_CREDENTIALS)
    assert result.returncode == 0, result.stderr
    assert "sandbox absent" in result.stdout
    assert ",sandbox" not in result.stdout


def test_production_phonepe_needs_its_credentials() -> None:
    result = start(PHONEPE_ENV="production")
    assert result.returncode != 0
    assert "Set the PHONEPE_CLIENT_ID environment variable" in result.stderr


def test_production_phonepe_needs_webhook_credentials() -> None:
    without = {k: v for k, v in LIVE_CREDENTIALS.items() if not k.startswith("PHONEPE_WEBHOOK")}
    result = start(**without)
    assert result.returncode != 0
    assert "Set the PHONEPE_WEBHOOK_USERNAME environment variable" in result.stderr


def test_production_needs_a_secret_key() -> None:
    result = start(**LIVE_CREDENTIALS, DJANGO_ENV="production")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr
