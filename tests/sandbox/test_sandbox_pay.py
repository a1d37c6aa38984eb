"""Create payment: POST /checkout/v2/pay (phonepe-v2.md §3)."""

import copy
import time
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_pay_answers_order_id_pending_expiry_and_pay_page(api):
    # given a valid SDK-shaped request (explicit nulls for unset fields)
    body = api.body("ORD-20250101-0001")

    # when the merchant creates the payment
    response = api.pay(body)

    # then it gets PhonePe's four keys
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"orderId", "state", "expireAt", "redirectUrl"}
    assert data["orderId"].startswith("OMO")
    assert data["state"] == "PENDING"
    # the default expiry is 1200 s, in epoch milliseconds
    assert isinstance(data["expireAt"], int)
    assert abs(data["expireAt"] - (int(time.time() * 1000) + 1_200_000)) < 5_000
    assert data["redirectUrl"].startswith("http://testserver/sandbox/pay/?token=")


def test_pay_page_url_follows_the_host_the_merchant_called(api):
    response = api.client.post(
        "/sandbox/pg/checkout/v2/pay",
        data=api.body(api.new_order_id()),
        content_type="application/json",
        headers={**api.auth(), "Host": "localhost:8123"},
    )

    assert response.status_code == 200
    assert response.json()["redirectUrl"].startswith("http://localhost:8123/sandbox/pay/?token=")


def test_pay_page_tokens_are_long_and_distinct(api):
    first = api.pay(api.body(api.new_order_id())).json()["redirectUrl"]
    second = api.pay(api.body(api.new_order_id())).json()["redirectUrl"]

    first_token = first.split("token=", 1)[1]
    assert len(first_token) >= 40
    assert first_token != second.split("token=", 1)[1]


def test_explicit_expire_after_sets_expire_at(api):
    response = api.pay(api.body(api.new_order_id(), expireAfter=300))

    expire_at = response.json()["expireAt"]
    assert abs(expire_at - (int(time.time() * 1000) + 300_000)) < 5_000


def test_minimal_request_without_optional_keys_is_accepted(api):
    body = {
        "merchantOrderId": api.new_order_id(),
        "amount": 100,
        "paymentFlow": {
            "type": "PG_CHECKOUT",
            "merchantUrls": {"redirectUrl": "http://127.0.0.1:8000/return/1"},
        },
    }

    assert api.pay(body).status_code == 200


def test_full_request_with_every_optional_field_is_accepted(api):
    body = api.body(
        api.new_order_id(),
        expireAfter=3600,
        metaInfo={f"udf{i}": "x" * 256 for i in range(1, 11)}
        | {f"udf{i}": "a-Z_0 9@.+" for i in range(11, 16)},
        disablePaymentRetry=True,
        prefillUserLoginDetails={"phoneNumber": "9999999999"},
    )
    body["paymentFlow"]["message"] = "Order 1"
    body["paymentFlow"]["paymentModeConfig"] = {
        "enabledPaymentModes": [
            {"type": "UPI_INTENT"},
            {"type": "UPI_QR"},
            {"type": "CARD", "cardTypes": ["DEBIT_CARD", "CREDIT_CARD"]},
        ],
        "disabledPaymentModes": None,
    }

    assert api.pay(body).status_code == 200


def _with(path: str, value: Any):
    """A mutation setting `path` (dot-separated) to `value`; the sentinel DELETE removes it."""

    def mutate(body: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = body
        for key in parents:
            target = target[key]
        if value is DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = value

    return mutate


DELETE = object()
LONG_ID = "A" * 64

INVALID = {
    "merchantOrderId missing": _with("merchantOrderId", DELETE),
    "merchantOrderId null": _with("merchantOrderId", None),
    "merchantOrderId empty": _with("merchantOrderId", ""),
    "merchantOrderId too long": _with("merchantOrderId", LONG_ID),
    "merchantOrderId bad chars": _with("merchantOrderId", "ORD/1"),
    "merchantOrderId space": _with("merchantOrderId", "ORD 1"),
    "merchantOrderId number": _with("merchantOrderId", 12345),
    "amount missing": _with("amount", DELETE),
    "amount below 100": _with("amount", 99),
    "amount zero": _with("amount", 0),
    "amount negative": _with("amount", -500),
    "amount float": _with("amount", 1499.0),
    "amount string": _with("amount", "149900"),
    "amount bool": _with("amount", True),
    "expireAfter below 300": _with("expireAfter", 299),
    "expireAfter above 3600": _with("expireAfter", 3601),
    "expireAfter string": _with("expireAfter", "600"),
    "expireAfter float": _with("expireAfter", 600.5),
    "metaInfo not object": _with("metaInfo", "udf1"),
    "metaInfo unknown key": _with("metaInfo", {"udf16": "x"}),
    "metaInfo renamed key": _with("metaInfo", {"UDF1": "x"}),
    "udf1 too long": _with("metaInfo", {"udf1": "x" * 257}),
    "udf1 not string": _with("metaInfo", {"udf1": 42}),
    "udf11 too long": _with("metaInfo", {"udf11": "x" * 51}),
    "udf15 bad chars": _with("metaInfo", {"udf15": "a:b"}),
    "paymentFlow missing": _with("paymentFlow", DELETE),
    "paymentFlow wrong type": _with("paymentFlow.type", "SUBSCRIPTION_SETUP"),
    "redirectUrl missing": _with("paymentFlow.merchantUrls", DELETE),
    "redirectUrl null": _with("paymentFlow.merchantUrls.redirectUrl", None),
    "redirectUrl not http": _with("paymentFlow.merchantUrls.redirectUrl", "ftp://shop/x"),
    "redirectUrl relative": _with("paymentFlow.merchantUrls.redirectUrl", "/return/1"),
    "redirectUrl javascript": _with("paymentFlow.merchantUrls.redirectUrl", "javascript:alert(1)"),
    "modes both lists": _with(
        "paymentFlow.paymentModeConfig",
        {"enabledPaymentModes": [{"type": "CARD"}], "disabledPaymentModes": [{"type": "UPI_QR"}]},
    ),
    "modes unknown type": _with(
        "paymentFlow.paymentModeConfig", {"enabledPaymentModes": [{"type": "WALLET"}]}
    ),
    "modes empty allow-list": _with("paymentFlow.paymentModeConfig", {"enabledPaymentModes": []}),
    "modes bad card type": _with(
        "paymentFlow.paymentModeConfig",
        {"enabledPaymentModes": [{"type": "CARD", "cardTypes": ["PREPAID_CARD"]}]},
    ),
    "modes not list": _with(
        "paymentFlow.paymentModeConfig", {"disabledPaymentModes": {"type": "CARD"}}
    ),
    "disablePaymentRetry string": _with("disablePaymentRetry", "yes"),
}


@pytest.mark.parametrize("mutate", INVALID.values(), ids=INVALID.keys())
def test_invalid_requests_answer_400_bad_request(api, mutate):
    # given a valid request broken in one way
    body = copy.deepcopy(api.body(api.new_order_id()))
    mutate(body)

    # when it is sent
    response = api.pay(body)

    # then PhonePe's 400 body names the problem, and no order exists
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "BAD_REQUEST"
    assert data["message"]
    assert data["data"] == {}


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[1, 2]", b'"text"', b"null", b"\xff\xfe"],
    ids=["broken", "empty", "list", "string", "null", "not utf-8"],
)
def test_malformed_body_answers_400(api, raw):
    response = api.pay(raw)

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_invalid_request_creates_nothing(api):
    merchant_order_id = api.new_order_id()
    api.pay(api.body(merchant_order_id, amount=50))

    assert api.status(merchant_order_id).status_code == 404


def test_identical_repeat_returns_the_same_order(api):
    # given an order created once
    body = api.body(api.new_order_id())
    first = api.pay(body).json()

    # when the SDK silently re-POSTs the same request
    second = api.pay(body)

    # then the merchant gets the same order and pay page
    assert second.status_code == 200
    assert second.json() == first


def test_repeat_with_nulls_spelled_out_differently_is_still_identical(api):
    merchant_order_id = api.new_order_id()
    first = api.pay(api.body(merchant_order_id)).json()
    body = api.body(merchant_order_id, expireAfter=1200)
    del body["disablePaymentRetry"]
    del body["paymentFlow"]["paymentModeConfig"]

    second = api.pay(body)

    assert second.status_code == 200
    assert second.json()["orderId"] == first["orderId"]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 150000},
        {"expireAfter": 600},
        {"metaInfo": {"udf1": "cart:43"}},
        {
            "paymentFlow": {
                "type": "PG_CHECKOUT",
                "merchantUrls": {"redirectUrl": "https://shop.example/elsewhere"},
            }
        },
    ],
    ids=["amount", "expireAfter", "metaInfo", "redirectUrl"],
)
def test_same_id_with_a_different_request_answers_409(api, change):
    merchant_order_id = api.new_order_id()
    first = api.pay(api.body(merchant_order_id)).json()

    response = api.pay(api.body(merchant_order_id, **change))

    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "DUPLICATE_MERCHANT_ORDER_ID"
    assert merchant_order_id in data["message"]
    # the original order is untouched
    assert api.status_body(merchant_order_id)["orderId"] == first["orderId"]
    assert api.status_body(merchant_order_id)["amount"] == 149900


def test_repeat_of_a_paid_order_reports_its_current_state(api):
    merchant_order_id = api.new_order_id()
    body = api.body(merchant_order_id)
    api.pay(body)
    api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="CARD")

    response = api.pay(body)

    assert response.status_code == 200
    assert response.json()["state"] == "COMPLETED"
