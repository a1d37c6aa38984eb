"""PhonePe's official Python SDK talks to the sandbox over real HTTP and decodes every answer.

The SDK pins old requests/urllib3, so it runs in its own venv (var/sdk-venv, `make sdk-venv`)
as a subprocess against a live server; see sdk_roundtrip.py for what it checks.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = ROOT / "var" / "sdk-venv" / "bin" / "python"
SCRIPT = Path(__file__).with_name("sdk_roundtrip.py")


@pytest.fixture
def sdk_python() -> Path:
    if not SDK_PYTHON.exists():
        pytest.fail(
            f"{SDK_PYTHON.relative_to(ROOT)} is missing: run `make sdk-venv` "
            "(it installs phonepe-pg-sdk-python from tests/sdk_compat/requirements.txt)."
        )
    return SDK_PYTHON


def test_official_sdk_round_trip(live_server, sdk_python):
    # given the sandbox served over HTTP, and the SDK aimed at it
    if not settings.SANDBOX_ENABLED:
        pytest.fail("the sandbox gateway is switched off in these settings (SANDBOX_ENABLED)")
    base_url = f"{live_server.url}/sandbox/pg"

    # when the SDK pays, reads statuses and refunds
    completed = subprocess.run(
        [
            str(sdk_python),
            str(SCRIPT),
            "--base-url",
            base_url,
            "--client-id",
            settings.SANDBOX_CLIENT_ID,
            "--client-secret",
            settings.SANDBOX_CLIENT_SECRET,
            "--client-version",
            str(settings.SANDBOX_CLIENT_VERSION),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then every check passed and the SDK decoded what a merchant relies on
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["ok"] is True
    assert summary["failures"] == []
    assert summary["checks_passed"] >= 40
    assert summary["orders"]["wallet"] == {
        "merchantOrderId": summary["orders"]["wallet"]["merchantOrderId"],
        "state": "COMPLETED",
        "paymentMode": "PPE_INTENT",
        "instrument": "WalletPaymentInstrumentV2",
        "rail": "PpiWalletPaymentRail",
    }
    assert summary["orders"]["card"]["paymentMode"] == "CARD"
    assert summary["orders"]["card"]["instrument"] == "CreditCardPaymentInstrumentV2"
    assert summary["orders"]["upi"]["state"] == "FAILED"
    assert summary["orders"]["upi"]["paymentMode"] == "UPI_COLLECT"
    assert summary["orders"]["upi"]["errorCode"] == "INVALID_MPIN"
    assert summary["refund"]["states"][-1] == "COMPLETED"
