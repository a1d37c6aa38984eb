"""Test-control API: POST /sandbox/pg/_control/orders/{merchantOrderId}/complete."""

import pytest

pytestmark = pytest.mark.django_db


def test_success_completes_the_order_and_answers_its_status(api):
    merchant_order_id = api.create_order()

    response = api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="WALLET")

    assert response.status_code == 200
    body = response.json()
    assert body["merchantOrderId"] == merchant_order_id
    assert body["state"] == "COMPLETED"
    assert body["paymentDetails"][0]["paymentMode"] == "PPE_INTENT"
    assert api.status_body(merchant_order_id)["state"] == "COMPLETED"


def test_failure_fails_attempt_and_order_with_default_codes(api):
    merchant_order_id = api.create_order()

    body = api.complete(merchant_order_id, outcome="FAILURE", paymentMode="CARD").json()

    assert (body["state"], body["errorCode"], body["detailedErrorCode"]) == (
        "FAILED",
        "INSUFFICIENT_BALANCE",
        "Z9",
    )
    assert body["paymentDetails"][0]["state"] == "FAILED"


def test_net_banking_failure_defaults_to_the_bank_decline(api):
    merchant_order_id = api.create_order()

    body = api.complete(merchant_order_id, outcome="FAILURE", paymentMode="NET_BANKING").json()

    assert (body["errorCode"], body["detailedErrorCode"]) == ("BANK_TECHNICAL_ISSUE", "U90")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"errorCode": "INVALID_MPIN", "detailedErrorCode": "ZM"}, ("INVALID_MPIN", "ZM")),
        ({"detailedErrorCode": "U28"}, ("BANK_TECHNICAL_ISSUE", "U28")),
        ({"errorCode": "INVALID_MPIN"}, ("INVALID_MPIN", "ZM")),
        ({"errorCode": "MY_CODE", "detailedErrorCode": "X1"}, ("MY_CODE", "X1")),
    ],
)
def test_failure_codes_can_be_chosen(api, given, expected):
    merchant_order_id = api.create_order()

    body = api.complete(merchant_order_id, outcome="FAILURE", paymentMode="UPI_COLLECT", **given)

    data = body.json()
    assert (data["errorCode"], data["detailedErrorCode"]) == expected
    assert data["errorContext"]["errorCode"] == expected[0]


def test_pending_adds_a_pending_attempt_and_keeps_the_order_pending(api):
    merchant_order_id = api.create_order()

    body = api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_QR").json()

    assert body["state"] == "PENDING"
    assert [(a["paymentMode"], a["state"]) for a in body["paymentDetails"]] == [
        ("UPI_QR", "PENDING")
    ]


def test_without_payment_mode_a_pending_attempt_is_settled(api):
    # given a payer whose UPI collect is pending
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="PENDING", paymentMode="UPI_COLLECT")

    # when the test approves it without naming a mode
    body = api.complete(merchant_order_id, outcome="SUCCESS").json()

    # then that same attempt completes
    assert body["state"] == "COMPLETED"
    assert [(a["paymentMode"], a["state"]) for a in body["paymentDetails"]] == [
        ("UPI_COLLECT", "COMPLETED")
    ]


def test_without_payment_mode_and_attempt_upi_intent_is_used(api):
    merchant_order_id = api.create_order()

    body = api.complete(merchant_order_id, outcome="SUCCESS").json()

    assert body["paymentDetails"][0]["paymentMode"] == "UPI_INTENT"


@pytest.mark.parametrize("first", ["SUCCESS", "FAILURE"])
def test_completing_a_terminal_order_answers_409(api, first):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome=first, paymentMode="CARD")

    response = api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="CARD")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ORDER_ALREADY_TERMINAL"
    assert merchant_order_id in body["message"]
    assert len(api.status_body(merchant_order_id, details="true")["paymentDetails"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"outcome": "MAYBE"},
        {"outcome": ["SUCCESS"]},
        {"outcome": "SUCCESS", "paymentMode": "CASH"},
        {"outcome": "SUCCESS", "paymentMode": "PPE_INTENT"},
        {"outcome": "SUCCESS", "errorCode": "INVALID_MPIN"},
        {"outcome": "FAILURE", "errorCode": "lower case"},
    ],
)
def test_bad_control_requests_answer_400_and_change_nothing(api, body):
    merchant_order_id = api.create_order()

    response = api.complete(merchant_order_id, **body)

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"
    assert api.status_body(merchant_order_id)["paymentDetails"] == []


def test_control_on_unknown_order_answers_404(api):
    response = api.complete("NOPE", outcome="SUCCESS")

    assert response.status_code == 404
    assert response.json()["code"] == "ORDER_NOT_FOUND"


def test_control_needs_no_token_but_only_post(api):
    merchant_order_id = api.create_order()

    response = api.client.get(f"/sandbox/pg/_control/orders/{merchant_order_id}/complete")

    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
