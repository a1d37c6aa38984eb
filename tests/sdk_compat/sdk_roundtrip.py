"""Drive the sandbox with PhonePe's official Python SDK (phonepe-pg-sdk-python 3.0.1).

Run by var/sdk-venv/bin/python (the SDK pins old requests/urllib3, so it has its own venv):

    var/sdk-venv/bin/python tests/sdk_compat/sdk_roundtrip.py \
        --base-url http://127.0.0.1:8000/sandbox/pg --client-id sandbox-client \
        --client-secret sandbox-secret --client-version 1

It aims the SDK's SANDBOX environment at the given base URL, creates payments, settles them with
the sandbox's test-control API (plain urllib: that API is ours, not PhonePe's), and checks what
the SDK decodes. It prints a JSON summary and exits 1 on any mismatch, 0 when all checks pass.
"""

import argparse
import json
import sys
import time
import traceback
import urllib.request
import uuid
from typing import Any

import phonepe.sdk.pg.env as sdk_env
from phonepe.sdk.pg.common.exceptions import (
    BadRequest,
    PhonePeException,
    ResourceConflict,
    ResourceNotFound,
    UnauthorizedAccess,
)
from phonepe.sdk.pg.common.models.request.meta_info import MetaInfo
from phonepe.sdk.pg.common.models.request.payment_mode_constraints.card_payment_mode import (
    CardPaymentModeConstraint,
)
from phonepe.sdk.pg.common.models.request.payment_mode_constraints.card_type import CardType
from phonepe.sdk.pg.common.models.request.payment_mode_constraints.upi_intent_payment_mode import (
    UpiIntentPaymentModeConstraint,
)
from phonepe.sdk.pg.common.models.request.refund_request import RefundRequest
from phonepe.sdk.pg.common.models.response.payment_instruments.wallet_payment_instrument_v2 import (
    WalletPaymentInstrumentV2,
)
from phonepe.sdk.pg.common.models.response.rails.ppi_wallet_payment_rail import (
    PpiWalletPaymentRail,
)
from phonepe.sdk.pg.common.models.response.rails.upi_payment_rail import UpiPaymentRail
from phonepe.sdk.pg.env import Env
from phonepe.sdk.pg.payments.v2.models.request.payment_mode_config import PaymentModeConfig
from phonepe.sdk.pg.payments.v2.models.request.pg_v2_instrument_type import PgV2InstrumentType
from phonepe.sdk.pg.payments.v2.models.request.standard_checkout_pay_request import (
    StandardCheckoutPayRequest,
)
from phonepe.sdk.pg.payments.v2.standard_checkout_client import StandardCheckoutClient

AMOUNT_PAISE = 149900


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def equal(self, name: str, actual: Any, expected: Any) -> None:
        if actual == expected:
            self.passed += 1
        else:
            self.failures.append(f"{name}: expected {expected!r}, got {actual!r}")

    def true(self, name: str, condition: bool, detail: Any = None) -> None:
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{name}: failed ({detail!r})")

    def raises(self, name: str, exc_type: type[Exception], call: Any) -> PhonePeException | None:
        try:
            call()
        except exc_type as exc:
            self.passed += 1
            return exc if isinstance(exc, PhonePeException) else None
        except Exception as exc:
            self.failures.append(f"{name}: expected {exc_type.__name__}, got {exc!r}")
            return None
        self.failures.append(f"{name}: expected {exc_type.__name__}, nothing was raised")
        return None


def aim_sdk_at(base_url: str) -> None:
    """Point the SDK's SANDBOX env at our sandbox (the SDK has no base-URL option)."""
    sdk_env.SANDBOX_PG_BASE_URL = base_url
    sdk_env.SANDBOX_OAUTH_BASE_URL = base_url
    # Never used (events are off outside PRODUCTION), but keep every host on this machine.
    sdk_env.SANDBOX_EVENT_INGESTION_BASE_URL = base_url
    if sdk_env.get_pg_base_url(Env.SANDBOX) != base_url:
        raise SystemExit("could not patch the SDK's sandbox base URL; refusing to go on")
    if sdk_env.get_oauth_base_url(Env.SANDBOX) != base_url:
        raise SystemExit("could not patch the SDK's OAuth base URL; refusing to go on")


def control_complete(base_url: str, merchant_order_id: str, **body: Any) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310  (our own http(s) base URL from argv)
        f"{base_url}/_control/orders/{merchant_order_id}/complete",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        result: dict[str, Any] = json.loads(response.read())
        return result


def fetch_page(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


def pay(
    client: StandardCheckoutClient,
    merchant_order_id: str,
    *,
    amount: int = AMOUNT_PAISE,
    payment_mode_config: PaymentModeConfig | None = None,
) -> Any:
    request = StandardCheckoutPayRequest.build_request(
        merchant_order_id=merchant_order_id,
        amount=amount,
        redirect_url=f"http://127.0.0.1:9/return/{merchant_order_id}",
        meta_info=MetaInfo.build_meta_info(
            udf1="cart:42", udf2="sdk roundtrip", udf11="user_7", udf15="a b@c.d+e"
        ),
        payment_mode_config=payment_mode_config,
    )
    return client.pay(request)


def run(args: argparse.Namespace, checks: Checks) -> dict[str, Any]:
    base_url = args.base_url.rstrip("/")
    host = base_url.removesuffix("/sandbox/pg")
    aim_sdk_at(base_url)
    summary: dict[str, Any] = {"orders": {}}
    run_id = uuid.uuid4().hex[:10]

    # Wrong credentials fail fast at construction with the identity manager's error.
    bad = checks.raises(
        "bad credentials",
        UnauthorizedAccess,
        lambda: StandardCheckoutClient.get_instance(
            client_id=args.client_id,
            client_secret=args.client_secret + "-wrong",
            client_version=args.client_version,
            env=Env.SANDBOX,
            should_publish_events=False,
        ),
    )
    if bad is not None:
        checks.equal("bad credentials code", bad.code, "OIM000")
        checks.equal("bad credentials status", bad.http_status_code, 401)

    client = StandardCheckoutClient.get_instance(
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_version=args.client_version,
        env=Env.SANDBOX,
        should_publish_events=False,
    )
    try:
        checks.equal("pg host", client._http_command._host_url, base_url)

        # 1. Wallet: a pending UPI QR attempt, then a successful wallet payment (PPE_INTENT).
        wallet_id = f"SDK-{run_id}-W"
        created = pay(client, wallet_id)
        checks.true("pay orderId", str(created.order_id).startswith("OMO"), created.order_id)
        checks.equal("pay state", created.state, "PENDING")
        checks.true("pay expireAt ms", created.expire_at > 10**12, created.expire_at)
        checks.true(
            "pay redirectUrl",
            str(created.redirect_url).startswith(f"{host}/sandbox/pay/?token="),
            created.redirect_url,
        )
        page_status, page = fetch_page(created.redirect_url)
        checks.equal("pay page status", page_status, 200)
        checks.true("pay page shows order", wallet_id in page)
        repeat = pay(client, wallet_id)
        checks.equal("idempotent repeat", repeat.order_id, created.order_id)

        fresh = client.get_order_status(wallet_id, details=False)
        checks.equal("fresh state", fresh.state, "PENDING")
        checks.equal("fresh details", fresh.payment_details, [])
        checks.equal("meta udf1", fresh.meta_info.udf1, "cart:42")
        checks.equal("meta udf11", fresh.meta_info.udf11, "user_7")
        checks.equal("meta udf15", fresh.meta_info.udf15, "a b@c.d+e")

        control_complete(base_url, wallet_id, outcome="PENDING", paymentMode="UPI_QR")
        settled = control_complete(base_url, wallet_id, outcome="SUCCESS", paymentMode="WALLET")
        checks.equal("control answer", settled["state"], "COMPLETED")

        latest = client.get_order_status(wallet_id, details=False)
        every = client.get_order_status(wallet_id, details=True)
        checks.equal("wallet state", latest.state, "COMPLETED")
        checks.equal("wallet amount", latest.amount, AMOUNT_PAISE)
        checks.equal("details=False count", len(latest.payment_details), 1)
        checks.equal("details=True count", len(every.payment_details), 2)
        wallet = latest.payment_details[0]
        checks.equal("wallet mode", wallet.payment_mode, PgV2InstrumentType.PPE_INTENT)
        checks.true("wallet instrument", isinstance(wallet.instrument, WalletPaymentInstrumentV2))
        checks.true("wallet rail", isinstance(wallet.rail, PpiWalletPaymentRail))
        checks.equal(
            "details=True modes",
            [d.payment_mode for d in every.payment_details],
            [PgV2InstrumentType.UPI_QR, PgV2InstrumentType.PPE_INTENT],
        )
        checks.equal(
            "details=True states", [d.state for d in every.payment_details], ["FAILED", "COMPLETED"]
        )
        by_transaction = client.get_transaction_status(wallet.transaction_id)
        checks.equal("transaction status", by_transaction.state, "COMPLETED")
        summary["orders"]["wallet"] = {
            "merchantOrderId": wallet_id,
            "state": latest.state,
            "paymentMode": wallet.payment_mode.value,
            "instrument": type(wallet.instrument).__name__,
            "rail": type(wallet.rail).__name__,
        }

        # 2. Card, created with a paymentModeConfig as the SDK serialises it.
        card_id = f"SDK-{run_id}-C"
        config = PaymentModeConfig(
            enabled_payment_modes=[
                CardPaymentModeConstraint(card_types=[CardType.CREDIT_CARD]),
                UpiIntentPaymentModeConstraint(),
            ]
        )
        pay(client, card_id, payment_mode_config=config)
        control_complete(base_url, card_id, outcome="SUCCESS", paymentMode="CARD")
        card_status = client.get_order_status(card_id, details=True)
        card = card_status.payment_details[0]
        checks.equal("card state", card_status.state, "COMPLETED")
        checks.equal("card mode", card.payment_mode, PgV2InstrumentType.CARD)
        checks.equal(
            "card instrument", type(card.instrument).__name__, "CreditCardPaymentInstrumentV2"
        )
        checks.equal("card rail", type(card.rail).__name__, "PgPaymentRail")
        summary["orders"]["card"] = {
            "merchantOrderId": card_id,
            "state": card_status.state,
            "paymentMode": card.payment_mode.value,
            "instrument": type(card.instrument).__name__,
            "rail": type(card.rail).__name__,
        }

        # 3. UPI collect that fails with a chosen code.
        upi_id = f"SDK-{run_id}-U"
        pay(client, upi_id)
        control_complete(
            base_url,
            upi_id,
            outcome="FAILURE",
            paymentMode="UPI_COLLECT",
            errorCode="INVALID_MPIN",
            detailedErrorCode="ZM",
        )
        upi_status = client.get_order_status(upi_id, details=False)
        upi = upi_status.payment_details[0]
        checks.equal("upi state", upi_status.state, "FAILED")
        checks.equal("upi errorCode", upi_status.error_code, "INVALID_MPIN")
        checks.equal("upi detailedErrorCode", upi_status.detailed_error_code, "ZM")
        checks.equal("upi mode", upi.payment_mode, PgV2InstrumentType.UPI_COLLECT)
        checks.equal("upi attempt state", upi.state, "FAILED")
        checks.true("upi rail", isinstance(upi.rail, UpiPaymentRail))
        summary["orders"]["upi"] = {
            "merchantOrderId": upi_id,
            "state": upi_status.state,
            "paymentMode": upi.payment_mode.value,
            "errorCode": upi_status.error_code,
            "detailedErrorCode": upi_status.detailed_error_code,
        }

        # 4. Refund the wallet payment and poll until it completes.
        refund_id = f"SDK-{run_id}-R"
        refund = client.refund(
            RefundRequest.build_refund_request(
                merchant_refund_id=refund_id, amount=50000, original_merchant_order_id=wallet_id
            )
        )
        checks.true("refund id", str(refund.refund_id).startswith("OMR"), refund.refund_id)
        checks.equal("refund state", refund.state, "PENDING")
        checks.equal("refund amount", refund.amount, 50000)
        states = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            refund_status = client.get_refund_status(refund_id)
            states.append(refund_status.state)
            if refund_status.state in {"COMPLETED", "FAILED"}:
                break
            time.sleep(0.2)
        checks.equal("refund final state", states[-1], "COMPLETED")
        checks.equal("refund original order", refund_status.original_merchant_order_id, wallet_id)
        checks.equal(
            "refund mode",
            refund_status.payment_details[0].payment_mode,
            PgV2InstrumentType.PPE_INTENT,
        )
        summary["refund"] = {"merchantRefundId": refund_id, "states": states}

        # 5. Errors come back as the SDK's typed exceptions with PhonePe's codes.
        bad_request = checks.raises(
            "amount below minimum", BadRequest, lambda: pay(client, f"SDK-{run_id}-B", amount=50)
        )
        if bad_request is not None:
            checks.equal("bad request code", bad_request.code, "BAD_REQUEST")
        checks.raises(
            "conflicting repeat", ResourceConflict, lambda: pay(client, wallet_id, amount=100)
        )
        checks.raises(
            "unknown order", ResourceNotFound, lambda: client.get_order_status(f"SDK-{run_id}-X")
        )
        checks.raises(
            "over-refund",
            BadRequest,
            lambda: client.refund(
                RefundRequest.build_refund_request(
                    merchant_refund_id=f"{refund_id}-2",
                    amount=AMOUNT_PAISE,
                    original_merchant_order_id=wallet_id,
                )
            ),
        )
    finally:
        client.close()
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000/sandbox/pg")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--client-version", required=True, type=int)
    args = parser.parse_args()

    checks = Checks()
    summary: dict[str, Any] = {}
    try:
        summary = run(args, checks)
    except Exception:
        checks.failures.append(f"unexpected error: {traceback.format_exc()}")
    summary.update(
        {
            "ok": not checks.failures,
            "sdk": "phonepe-pg-sdk-python",
            "checks_passed": checks.passed,
            "failures": checks.failures,
        }
    )
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
