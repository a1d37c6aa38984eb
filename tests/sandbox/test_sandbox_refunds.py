"""Refund and refund status (phonepe-v2.md §5)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import SandboxRefund

pytestmark = pytest.mark.django_db


def _refund(api, merchant_order_id, amount=50000, merchant_refund_id=None):
    return api.refund(
        {
            "merchantRefundId": merchant_refund_id or f"RF-{merchant_order_id}-{amount}",
            "originalMerchantOrderId": merchant_order_id,
            "amount": amount,
        }
    )


def test_refund_of_a_paid_order_is_accepted_pending(api):
    merchant_order_id = api.paid_order()

    response = _refund(api, merchant_order_id)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"refundId", "amount", "state"}
    assert body["refundId"].startswith("OMR")
    assert (body["amount"], body["state"]) == (50000, "PENDING")


def test_refund_status_moves_from_pending_to_completed(api, settings):
    # given a refund whose scheduled times are far away
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 600
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600
    merchant_order_id = api.paid_order(mode="WALLET")
    refund_id = _refund(api, merchant_order_id, merchant_refund_id="RF-1").json()["refundId"]

    # when the merchant polls its status twice
    first = api.refund_status("RF-1")
    second = api.refund_status("RF-1")

    # then it reads PENDING, then COMPLETED, with both the SDK's and the docs' keys
    assert first.status_code == 200
    assert first.json()["state"] == "PENDING"
    body = second.json()
    assert body["state"] == "COMPLETED"
    assert body["merchantId"] == settings.SANDBOX_MERCHANT_ID
    assert body["merchantRefundId"] == "RF-1"
    assert body["originalMerchantOrderId"] == merchant_order_id
    assert body["refundId"] == refund_id
    assert body["amount"] == 50000
    assert isinstance(body["timestamp"], int)
    [detail] = body["paymentDetails"]
    assert detail["transactionId"].startswith("OMR")
    assert detail["paymentMode"] == "PPE_INTENT"
    assert (detail["amount"], detail["state"]) == (50000, "COMPLETED")
    assert detail["instrument"]["type"] == "WALLET"
    assert body["splitInstruments"] == [
        {"amount": 50000, "rail": {"type": "PPI_WALLET"}, "instrument": detail["instrument"]}
    ]


def test_refund_is_confirmed_then_completed_on_schedule(api, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, merchant_refund_id="RF-2")

    assert api.refund_status("RF-2").json()["state"] == "CONFIRMED"
    assert api.refund_status("RF-2").json()["state"] == "COMPLETED"


def test_refund_completes_by_time_even_if_nobody_asked(api, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, merchant_refund_id="RF-3")

    assert api.refund_status("RF-3").json()["state"] == "COMPLETED"


def test_partial_refunds_up_to_the_order_amount(api):
    merchant_order_id = api.paid_order(amount=100000)

    assert _refund(api, merchant_order_id, 60000, "RF-P-1").status_code == 200
    assert _refund(api, merchant_order_id, 40000, "RF-P-2").status_code == 200
    over = _refund(api, merchant_order_id, 100, "RF-P-3")

    assert over.status_code == 400
    assert over.json()["code"] == "BAD_REQUEST"
    assert "exceeds" in over.json()["message"]
    assert api.refund_status("RF-P-3").status_code == 404


def test_refund_above_the_order_amount_is_refused(api):
    merchant_order_id = api.paid_order(amount=10000)

    response = _refund(api, merchant_order_id, 10001)

    assert response.status_code == 400


@pytest.mark.parametrize("outcome", [None, "FAILURE", "PENDING"])
def test_only_completed_orders_can_be_refunded(api, outcome):
    merchant_order_id = api.create_order()
    if outcome:
        api.complete(merchant_order_id, outcome=outcome, paymentMode="CARD")

    response = _refund(api, merchant_order_id)

    assert response.status_code == 400
    assert "COMPLETED" in response.json()["message"]


def test_refund_of_unknown_order_is_refused(api):
    response = _refund(api, "NO-SUCH-ORDER")

    assert response.status_code == 400
    assert "NO-SUCH-ORDER" in response.json()["message"]


def test_identical_refund_repeat_returns_the_same_refund(api):
    merchant_order_id = api.paid_order()
    first = _refund(api, merchant_order_id, 50000, "RF-R-1").json()

    second = _refund(api, merchant_order_id, 50000, "RF-R-1")

    assert second.status_code == 200
    assert second.json()["refundId"] == first["refundId"]
    # and it was counted once: the rest is still refundable
    assert _refund(api, merchant_order_id, 149900 - 50000, "RF-R-2").status_code == 200


def test_refund_id_reused_with_a_different_amount_answers_409(api):
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, 50000, "RF-D-1")

    response = _refund(api, merchant_order_id, 40000, "RF-D-1")

    assert response.status_code == 409
    assert response.json()["code"] == "DUPLICATE_MERCHANT_REFUND_ID"


@pytest.mark.parametrize(
    "body",
    [
        {"originalMerchantOrderId": "X", "amount": 100},
        {"merchantRefundId": "R/1", "originalMerchantOrderId": "X", "amount": 100},
        {"merchantRefundId": "R" * 64, "originalMerchantOrderId": "X", "amount": 100},
        {"merchantRefundId": "R1", "amount": 100},
        {"merchantRefundId": "R1", "originalMerchantOrderId": "X", "amount": 99},
        {"merchantRefundId": "R1", "originalMerchantOrderId": "X", "amount": "100"},
        {"merchantRefundId": "R1", "originalMerchantOrderId": "X", "amount": 100.0},
    ],
)
def test_invalid_refund_requests_answer_400(api, body):
    response = api.refund(body)

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_unknown_refund_status_answers_404(api):
    response = api.refund_status("NOPE")

    assert response.status_code == 404
    assert response.json()["code"] == "REFUND_NOT_FOUND"


def test_refund_endpoints_need_a_token(api):
    response = api.client.get("/sandbox/pg/payments/v2/refund/ANY/status")

    assert response.status_code == 401


def test_refund_id_reused_for_another_order_answers_409(api):
    first, second = api.paid_order(), api.paid_order()
    _refund(api, first, 50000, "RF-O-1")

    response = _refund(api, second, 50000, "RF-O-1")

    assert response.status_code == 409
    assert response.json()["code"] == "DUPLICATE_MERCHANT_REFUND_ID"


def test_identical_repeat_after_completion_returns_the_completed_refund(api, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = api.paid_order()
    first = _refund(api, merchant_order_id, 50000, "RF-R-3").json()
    api.refund_status("RF-R-3")

    again = _refund(api, merchant_order_id, 50000, "RF-R-3")

    assert again.status_code == 200
    assert again.json() == {**first, "state": "COMPLETED"}


def test_a_refund_read_late_is_dated_by_its_schedule_not_by_the_read(api):
    # The completion time decides the settlement date, so it must not depend on who looked.
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, 50000, "RF-L-1")
    due = timezone.now() - timedelta(days=3)
    refunds = SandboxRefund.objects.filter(merchant_refund_id="RF-L-1")
    refunds.update(confirm_at=due, complete_at=due)

    assert api.refund_status("RF-L-1").json()["state"] == "COMPLETED"

    assert SandboxRefund.objects.get(merchant_refund_id="RF-L-1").finished_at == due
