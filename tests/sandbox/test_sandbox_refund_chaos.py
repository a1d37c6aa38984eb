"""Chaos `refund`: the next N refunds are accepted (PENDING) and then end FAILED at their
completion time, as PhonePe refunds fail: asynchronously."""

import pytest
from django.utils import timezone

from sandbox.models import SandboxRefund

pytestmark = pytest.mark.django_db

CONTROL = "/sandbox/pg/_control"


def _chaos(api, rule, merchant_order_id=None):
    path = (
        f"{CONTROL}/orders/{merchant_order_id}/chaos" if merchant_order_id else f"{CONTROL}/chaos"
    )
    response = api.post_json(path, rule, {})
    assert response.status_code == 200, response.content
    return response.json()


def _refund(api, merchant_order_id, merchant_refund_id, amount=10000):
    return api.refund(
        {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": merchant_order_id,
            "amount": amount,
        }
    )


@pytest.fixture
def slow_refunds(settings):
    # Confirmed at once, completed only on the second read (or a task run after 10 minutes).
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600


def test_the_rule_is_stored_with_its_defaults(api):
    body = _chaos(api, {"refund": {"failTimes": 2}})

    assert body["runtimeRule"] == {
        "refund": {
            "failTimes": 2,
            "errorCode": "UPI_BACKBONE_ERROR",
            "detailedErrorCode": "TXN_FAILED",
        }
    }
    assert _chaos(api, {"refund": {"errorCode": "INTERNAL_SERVER_ERROR"}})["rule"]["refund"] == {
        "failTimes": 1,
        "errorCode": "INTERNAL_SERVER_ERROR",
        "detailedErrorCode": "TXN_FAILED",
    }
    assert _chaos(api, {"refund": {}})["runtimeRule"] == {"refund": {}}


def test_the_next_refund_is_accepted_then_fails_and_the_one_after_completes(api, slow_refunds):
    # given a global rule failing the next refund
    _chaos(api, {"refund": {"failTimes": 1, "errorCode": "UPI_BACKBONE_ERROR"}})
    merchant_order_id = api.paid_order(amount=50000)

    # when the merchant refunds twice
    first = _refund(api, merchant_order_id, "RF-C-1")
    second = _refund(api, merchant_order_id, "RF-C-2")

    # then both are accepted as PENDING, like any refund
    assert (first.status_code, first.json()["state"]) == (200, "PENDING")
    assert (second.status_code, second.json()["state"]) == (200, "PENDING")
    # and the first is confirmed, then ends FAILED with the rule's codes
    assert api.refund_status("RF-C-1").json()["state"] == "CONFIRMED"
    failed = api.refund_status("RF-C-1").json()
    assert failed["state"] == "FAILED"
    assert (failed["errorCode"], failed["detailedErrorCode"]) == (
        "UPI_BACKBONE_ERROR",
        "TXN_FAILED",
    )
    [detail] = failed["paymentDetails"]
    assert (detail["state"], detail["errorCode"]) == ("FAILED", "UPI_BACKBONE_ERROR")
    # while the second completes normally
    api.refund_status("RF-C-2")
    assert api.refund_status("RF-C-2").json()["state"] == "COMPLETED"
    assert api.client.get(f"{CONTROL}/chaos").json()["errorsLeft"] == {"refund": 0}


def test_a_failing_refund_hides_its_codes_until_it_fails(api, slow_refunds):
    _chaos(api, {"refund": {"failTimes": 1}})
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, "RF-C-3")

    pending = api.refund_status("RF-C-3").json()

    assert pending["state"] == "CONFIRMED"
    assert "errorCode" not in pending
    assert "errorCode" not in pending["paymentDetails"][0]


def test_the_failed_amount_can_be_refunded_again(api, slow_refunds):
    _chaos(api, {"refund": {"failTimes": 1}})
    merchant_order_id = api.paid_order(amount=10000)
    _refund(api, merchant_order_id, "RF-C-4", amount=10000)
    # the whole amount is taken while the refund is in flight
    assert _refund(api, merchant_order_id, "RF-C-5", amount=10000).status_code == 400

    api.refund_status("RF-C-4")
    assert api.refund_status("RF-C-4").json()["state"] == "FAILED"

    assert _refund(api, merchant_order_id, "RF-C-6", amount=10000).status_code == 200


def test_a_refused_refund_does_not_use_up_a_failure(api, slow_refunds):
    _chaos(api, {"refund": {"failTimes": 1, "errorCode": "INTERNAL_SERVER_ERROR"}})
    merchant_order_id = api.paid_order(amount=10000)

    assert _refund(api, merchant_order_id, "RF-C-7", amount=10001).status_code == 400
    assert _refund(api, merchant_order_id, "RF-C-8", amount=10000).status_code == 200

    refund = SandboxRefund.objects.get(merchant_refund_id="RF-C-8")
    assert (refund.settle_outcome, refund.error_code) == ("FAILURE", "INTERNAL_SERVER_ERROR")


def test_an_order_rule_fails_only_that_orders_refunds(api, slow_refunds):
    # given a rule on order A only, and a global rule that would fail nothing
    order_a, order_b = api.paid_order(), api.paid_order()
    _chaos(api, {"refund": {"failTimes": 0}})
    _chaos(api, {"refund": {"failTimes": 2, "errorCode": "REFUND_DECLINED"}}, order_a)

    # when both orders are refunded
    for merchant_refund_id, order in (
        ("RF-A-1", order_a),
        ("RF-B-1", order_b),
        ("RF-A-2", order_a),
    ):
        assert _refund(api, order, merchant_refund_id).status_code == 200

    # then only A's refunds fail, with A's codes
    outcomes = dict(SandboxRefund.objects.values_list("merchant_refund_id", "settle_outcome"))
    assert outcomes == {"RF-A-1": "FAILURE", "RF-B-1": "SUCCESS", "RF-A-2": "FAILURE"}
    described = api.client.get(f"{CONTROL}/orders/{order_a}/chaos").json()
    assert described["errorsLeft"] == {"refund": 0}


def test_the_settings_rule_fails_refunds_too(api, settings, slow_refunds):
    settings.SANDBOX_CHAOS = {"refund": {"failTimes": 1}}
    merchant_order_id = api.paid_order()

    _refund(api, merchant_order_id, "RF-S-1")
    _refund(api, merchant_order_id, "RF-S-2")

    outcomes = dict(SandboxRefund.objects.values_list("merchant_refund_id", "settle_outcome"))
    assert outcomes == {"RF-S-1": "FAILURE", "RF-S-2": "SUCCESS"}


def test_a_changed_rule_rearms_its_countdown(api, slow_refunds):
    merchant_order_id = api.paid_order()
    _chaos(api, {"refund": {"failTimes": 1}})
    _refund(api, merchant_order_id, "RF-R-1")

    _chaos(api, {"refund": {"failTimes": 1}})
    _refund(api, merchant_order_id, "RF-R-2")

    assert SandboxRefund.objects.filter(settle_outcome="FAILURE").count() == 2


def test_the_failure_is_announced_after_the_acceptance_when_nobody_polls(
    api, hooks, timers, settings
):
    # given a failing refund, confirmed after 0 s and finished after 0 s
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    _chaos(api, {"refund": {"failTimes": 1, "errorCode": "UPI_BACKBONE_ERROR"}})
    merchant_order_id = api.paid_order()
    with hooks.capture():
        _refund(api, merchant_order_id, "RF-W-1")

    # when the scheduled task runs
    with hooks.capture():
        assert timers.run() == ["FAILED"]
    hooks.run_queued()

    # then the merchant hears "accepted", then "failed" with the codes
    assert hooks.receiver.events() == ["pg.refund.accepted", "pg.refund.failed"]
    payload = hooks.receiver.requests[1].json()["payload"]
    assert (payload["state"], payload["errorCode"]) == ("FAILED", "UPI_BACKBONE_ERROR")
    refund = SandboxRefund.objects.get(merchant_refund_id="RF-W-1")
    assert refund.finished_at is not None
    assert refund.finished_at <= timezone.now()
