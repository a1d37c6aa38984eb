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


# --- Time travel: expire now, succeed after expiry -------------------------------------------


def _expire(api, merchant_order_id, body=None):
    return api.post_json(f"/sandbox/pg/_control/orders/{merchant_order_id}/expire", body or {}, {})


def test_expire_makes_the_next_read_fail_the_order_and_announce_it(api, hooks):
    # given a payer whose payment stays pending (pending@ybl)
    merchant_order_id = api.create_order()
    api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "pending@ybl"})

    # when a test makes its expiry now
    response = _expire(api, merchant_order_id)

    # then the answer still shows it pending, due now
    assert response.status_code == 200
    assert response.json()["state"] == "PENDING"
    # and the next read fails it by expiry and announces checkout.order.failed
    with hooks.capture():
        body = api.status_body(merchant_order_id, details="true")
    assert (body["state"], body["errorCode"], body["detailedErrorCode"]) == (
        "FAILED",
        "TXN_NOT_COMPLETED",
        "TXN_AUTO_FAILED",
    )
    assert body["paymentDetails"][0]["state"] == "FAILED"
    hooks.run_queued()
    assert hooks.receiver.events() == ["checkout.order.failed"]


def test_expire_accepts_no_body_at_all(api):
    merchant_order_id = api.create_order()

    response = api.client.post(
        f"/sandbox/pg/_control/orders/{merchant_order_id}/expire",
        data=b"",
        content_type="application/json",
    )

    assert response.status_code == 200


@pytest.mark.parametrize("first", ["SUCCESS", "FAILURE"])
def test_expire_of_a_final_order_answers_409(api, first):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome=first)

    response = _expire(api, merchant_order_id)

    assert response.status_code == 409
    assert response.json()["code"] == "ORDER_ALREADY_TERMINAL"


def test_expire_refuses_unknown_fields_and_orders(api):
    merchant_order_id = api.create_order()

    assert _expire(api, merchant_order_id, {"when": "now"}).status_code == 400
    assert _expire(api, "NOPE").status_code == 404


def test_completing_an_expired_order_stays_409_without_ignore_expiry(api):
    merchant_order_id = api.create_order()
    _expire(api, merchant_order_id)

    response = api.complete(merchant_order_id, outcome="SUCCESS")

    assert response.status_code == 409
    assert api.status_body(merchant_order_id)["state"] == "FAILED"


def test_ignore_expiry_settles_a_late_success(api, hooks):
    # given a pending UPI payment whose order expired and was failed by a read
    merchant_order_id = api.create_order()
    api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "pending@ybl"})
    _expire(api, merchant_order_id)
    with hooks.capture():
        assert api.status_body(merchant_order_id)["state"] == "FAILED"

    # when the bank confirms it late
    with hooks.capture():
        response = api.complete(merchant_order_id, outcome="SUCCESS", ignoreExpiry=True)

    # then the same attempt completes, and so does the order
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "COMPLETED"
    assert "errorCode" not in body
    [attempt] = body["paymentDetails"]
    assert (attempt["state"], attempt["paymentMode"]) == ("COMPLETED", "UPI_COLLECT")
    assert api.status_body(merchant_order_id)["state"] == "COMPLETED"
    # and the merchant heard failed, then completed
    hooks.run_queued()
    assert hooks.receiver.events() == ["checkout.order.failed", "checkout.order.completed"]


def test_ignore_expiry_on_an_unread_expired_order_adds_the_named_attempt(api, hooks):
    merchant_order_id = api.create_order()
    _expire(api, merchant_order_id)

    with hooks.capture():
        body = api.complete(
            merchant_order_id, outcome="SUCCESS", paymentMode="CARD", ignoreExpiry=True
        ).json()

    assert body["state"] == "COMPLETED"
    assert [a["paymentMode"] for a in body["paymentDetails"]] == ["CARD"]
    assert [item.countdown for item in hooks.queued] == [0, 0]
    hooks.run_queued()
    assert hooks.receiver.events() == ["checkout.order.failed", "checkout.order.completed"]


def test_ignore_expiry_does_not_reopen_a_declined_order(api):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="FAILURE")

    response = api.complete(merchant_order_id, outcome="SUCCESS", ignoreExpiry=True)

    assert response.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "SUCCESS", "ignoreExpiry": "yes"},
        {"outcome": "FAILURE", "ignoreExpiry": True},
    ],
)
def test_bad_ignore_expiry_answers_400(api, body):
    merchant_order_id = api.create_order()

    assert api.complete(merchant_order_id, **body).status_code == 400


# --- Refund failure ---------------------------------------------------------------------------


def _refund_and_fail(api, body, merchant_refund_id="RF-F1"):
    merchant_order_id = api.paid_order()
    api.refund(
        {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": merchant_order_id,
            "amount": 149900,
        }
    )
    path = f"/sandbox/pg/_control/refunds/{merchant_refund_id}/fail"
    return merchant_order_id, api.post_json(path, body, {})


def test_failing_a_refund_ends_it_failed_and_frees_the_amount(api):
    merchant_order_id, response = _refund_and_fail(api, {})

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["errorCode"], body["detailedErrorCode"]) == (
        "FAILED",
        "UPI_BACKBONE_ERROR",
        "TXN_FAILED",
    )
    assert api.refund_status("RF-F1").json()["state"] == "FAILED"
    again = api.refund(
        {"merchantRefundId": "RF-F2", "originalMerchantOrderId": merchant_order_id, "amount": 100}
    )
    assert again.status_code == 200


def test_failing_a_finished_refund_answers_409(api, settings):
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = api.paid_order()
    api.refund(
        {"merchantRefundId": "RF-F3", "originalMerchantOrderId": merchant_order_id, "amount": 100}
    )
    assert api.refund_status("RF-F3").json()["state"] == "COMPLETED"

    response = api.post_json("/sandbox/pg/_control/refunds/RF-F3/fail", {}, {})

    assert response.status_code == 409
    assert response.json()["code"] == "REFUND_ALREADY_TERMINAL"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"errorCode": "bad code"}, 400), ({"reason": "x"}, 400)],
)
def test_refund_fail_validates_its_body(api, body, status):
    _merchant_order_id, response = _refund_and_fail(api, body)

    assert response.status_code == status
    assert api.refund_status("RF-F1").json()["state"] != "FAILED"


def test_refund_fail_of_an_unknown_refund_is_404(api):
    response = api.post_json("/sandbox/pg/_control/refunds/NOPE/fail", {}, {})

    assert response.status_code == 404
    assert response.json()["code"] == "REFUND_NOT_FOUND"
