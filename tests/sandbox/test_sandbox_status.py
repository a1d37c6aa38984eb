"""Order status: GET /checkout/v2/order/{merchantOrderId}/status (phonepe-v2.md §4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import SandboxOrder

pytestmark = pytest.mark.django_db

SDK_PAYMENT_MODES = {
    "UPI_INTENT",
    "UPI_COLLECT",
    "UPI_QR",
    "CARD",
    "TOKEN",
    "NET_BANKING",
    "PPE_INTENT",
    "UPI_AUTO_PAY",
}


def test_new_order_status_has_the_documented_shape(api, settings):
    # given a fresh order with meta info
    merchant_order_id = api.create_order()
    created = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)

    # when the merchant asks for its status
    response = api.status(merchant_order_id)

    # then it is PENDING with no attempt yet
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "merchantId": settings.SANDBOX_MERCHANT_ID,
        "merchantOrderId": merchant_order_id,
        "orderId": created.order_id,
        "state": "PENDING",
        "amount": 149900,
        "payableAmount": 149900,
        "feeAmount": 0,
        "expireAt": api.pay(api.body(merchant_order_id)).json()["expireAt"],
        "metaInfo": {"udf1": "cart:42", "udf11": "user_7"},
        "paymentDetails": [],
    }


def test_meta_info_is_echoed_exactly(api):
    meta = {"udf3": "Ünïcode ✓", "udf1": "a" * 256, "udf12": "x@y.z +1", "udf5": None}
    merchant_order_id = api.create_order(metaInfo=meta)

    assert api.status_body(merchant_order_id)["metaInfo"] == meta


def test_order_without_meta_info_omits_it(api):
    merchant_order_id = api.create_order(metaInfo=None)

    assert "metaInfo" not in api.status_body(merchant_order_id)


@pytest.mark.parametrize(
    ("method", "payment_mode", "instrument_type", "rail_type", "instrument_keys", "rail_keys"),
    [
        (
            "UPI_INTENT",
            "UPI_INTENT",
            "ACCOUNT",
            "UPI",
            {"maskedAccountNumber", "ifsc", "accountHolderName", "accountType"},
            {"utr", "upiTransactionId", "vpa"},
        ),
        (
            "UPI_COLLECT",
            "UPI_COLLECT",
            "ACCOUNT",
            "UPI",
            {"maskedAccountNumber", "ifsc", "accountHolderName", "accountType"},
            {"utr", "upiTransactionId", "vpa"},
        ),
        (
            "UPI_QR",
            "UPI_QR",
            "ACCOUNT",
            "UPI",
            {"maskedAccountNumber", "ifsc", "accountHolderName", "accountType"},
            {"utr", "upiTransactionId", "vpa"},
        ),
        (
            "CARD",
            "CARD",
            "CREDIT_CARD",
            "PG",
            {"bankTransactionId", "bankId", "arn", "brn"},
            {"transactionId", "authorizationCode", "serviceTransactionId"},
        ),
        (
            "NET_BANKING",
            "NET_BANKING",
            "NET_BANKING",
            "PG",
            {"bankTransactionId", "bankId", "arn", "brn"},
            {"transactionId", "authorizationCode", "serviceTransactionId"},
        ),
        ("WALLET", "PPE_INTENT", "WALLET", "PPI_WALLET", {"walletId"}, set()),
    ],
)
def test_completed_attempt_reports_mode_instrument_and_rail(
    api, method, payment_mode, instrument_type, rail_type, instrument_keys, rail_keys
):
    # given an order paid with one method
    merchant_order_id = api.paid_order(mode=method)

    # when the merchant reads the status
    body = api.status_body(merchant_order_id)

    # then the attempt is described with the SDK's vocabulary only
    assert body["state"] == "COMPLETED"
    assert "errorCode" not in body
    [attempt] = body["paymentDetails"]
    assert attempt["paymentMode"] == payment_mode
    assert attempt["paymentMode"] in SDK_PAYMENT_MODES
    assert attempt["transactionId"].startswith("OM")
    assert not attempt["transactionId"].startswith("OMO")
    assert isinstance(attempt["timestamp"], int)
    assert attempt["timestamp"] > 1_600_000_000_000
    assert attempt["amount"] == attempt["payableAmount"] == 149900
    assert attempt["feeAmount"] == 0
    assert attempt["state"] == "COMPLETED"
    assert "errorCode" not in attempt
    assert attempt["instrument"]["type"] == instrument_type
    assert set(attempt["instrument"]) == {"type", *instrument_keys}
    assert attempt["rail"]["type"] == rail_type
    assert set(attempt["rail"]) == {"type", *rail_keys}


def test_wallet_attempt_carries_split_instruments(api):
    merchant_order_id = api.paid_order(mode="WALLET")

    [attempt] = api.status_body(merchant_order_id)["paymentDetails"]

    assert attempt["splitInstruments"] == [
        {"instrument": attempt["instrument"], "rail": {"type": "PPI_WALLET"}, "amount": 149900}
    ]


def test_upi_vpa_is_masked(api):
    merchant_order_id = api.paid_order(mode="UPI_COLLECT")

    [attempt] = api.status_body(merchant_order_id)["paymentDetails"]

    assert attempt["rail"]["vpa"] == "sa*****@ybl"


@pytest.mark.parametrize("flag", ["true", "True", "TRUE"])
def test_details_true_lists_every_attempt_in_any_case(api, flag):
    # given a pending attempt followed by a successful one
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_COLLECT")
    api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="CARD")

    # when the merchant asks for details
    attempts = api.status_body(merchant_order_id, details=flag)["paymentDetails"]

    # then both attempts are there, oldest first; the superseded one failed
    assert [a["paymentMode"] for a in attempts] == ["UPI_COLLECT", "CARD"]
    assert [a["state"] for a in attempts] == ["FAILED", "COMPLETED"]


@pytest.mark.parametrize("flag", [None, "false", "False"])
def test_details_false_lists_only_the_latest_attempt(api, flag):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_COLLECT")
    api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="CARD")

    attempts = api.status_body(merchant_order_id, details=flag)["paymentDetails"]

    assert [a["paymentMode"] for a in attempts] == ["CARD"]


def test_failed_order_carries_error_codes_and_context_on_request(api):
    # given an order whose attempt failed
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="FAILURE", paymentMode="UPI_COLLECT")

    # when read without and with errorContext
    plain = api.status_body(merchant_order_id)
    with_context = api.status_body(merchant_order_id, error_context="True")

    # then the codes are top-level and on the attempt; the context only when asked
    assert plain["state"] == "FAILED"
    assert plain["errorCode"] == "INSUFFICIENT_BALANCE"
    assert plain["detailedErrorCode"] == "Z9"
    assert "errorContext" not in plain
    [attempt] = plain["paymentDetails"]
    assert (attempt["state"], attempt["errorCode"], attempt["detailedErrorCode"]) == (
        "FAILED",
        "INSUFFICIENT_BALANCE",
        "Z9",
    )
    assert with_context["errorContext"] == {
        "errorCode": "INSUFFICIENT_BALANCE",
        "detailedErrorCode": "Z9",
        "source": "CUSTOMER",
        "stage": "AUTHORIZATION",
        "description": "The payer's account does not have enough balance.",
    }


def test_error_context_is_absent_for_orders_that_did_not_fail(api):
    merchant_order_id = api.paid_order()

    assert "errorContext" not in api.status_body(merchant_order_id, error_context="true")


def test_pending_order_past_its_expiry_becomes_failed_and_stays_so(api):
    # given a pending order with a pending attempt, whose expiry has passed
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_COLLECT")
    SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).update(
        expire_at=timezone.now() - timedelta(seconds=1)
    )

    # when the merchant reads the status
    body = api.status_body(merchant_order_id, details="true")

    # then the order (and its attempt) failed as PhonePe auto-fails it
    assert body["state"] == "FAILED"
    assert body["errorCode"] == "TXN_NOT_COMPLETED"
    assert body["detailedErrorCode"] == "TXN_AUTO_FAILED"
    assert body["paymentDetails"][0]["state"] == "FAILED"
    assert body["paymentDetails"][0]["detailedErrorCode"] == "TXN_AUTO_FAILED"
    # and it is persisted: a later control call cannot revive it
    assert SandboxOrder.objects.get(merchant_order_id=merchant_order_id).state == "FAILED"
    assert api.complete(merchant_order_id, outcome="SUCCESS").status_code == 409


def test_unknown_order_answers_404_json(api):
    response = api.status("NO-SUCH-ORDER")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "ORDER_NOT_FOUND"
    assert "NO-SUCH-ORDER" in body["message"]


def test_status_requires_a_token(api):
    merchant_order_id = api.create_order()

    response = api.client.get(f"/sandbox/pg/checkout/v2/order/{merchant_order_id}/status")

    assert response.status_code == 401


def test_transaction_status_reports_that_attempt(api):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_QR")
    api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="CARD")
    first = api.status_body(merchant_order_id, details="true")["paymentDetails"][0]

    response = api.client.get(
        f"/sandbox/pg/checkout/v2/transaction/{first['transactionId']}/status",
        headers=api.auth(),
    )

    assert response.status_code == 200
    body = response.json()
    assert body["merchantOrderId"] == merchant_order_id
    assert body["state"] == "COMPLETED"
    assert [a["transactionId"] for a in body["paymentDetails"]] == [first["transactionId"]]


def test_unknown_transaction_answers_404(api):
    response = api.client.get(
        "/sandbox/pg/checkout/v2/transaction/OM000/status", headers=api.auth()
    )

    assert response.status_code == 404
    assert response.json()["code"] == "TRANSACTION_NOT_FOUND"
