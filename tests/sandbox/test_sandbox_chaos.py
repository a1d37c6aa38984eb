"""Chaos: webhook modes, injected API errors and slow answers, and their control API."""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from sandbox.models import SandboxWebhook
from sandbox.tasks import deliver_webhook

pytestmark = pytest.mark.django_db

CONTROL = "/sandbox/pg/_control"


def _set_global(api, rule):
    response = api.post_json(f"{CONTROL}/chaos", rule, {})
    assert response.status_code == 200, response.content
    return response.json()


def _set_order(api, merchant_order_id, rule):
    response = api.post_json(f"{CONTROL}/orders/{merchant_order_id}/chaos", rule, {})
    assert response.status_code == 200, response.content
    return response.json()


def _paid_with_hooks(api, hooks, merchant_order_id=None):
    merchant_order_id = merchant_order_id or api.create_order()
    with hooks.capture():
        response = api.complete(merchant_order_id, outcome="SUCCESS")
    assert response.status_code == 200
    return merchant_order_id


# --- Control API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "mentions"),
    [
        ([], "must be a JSON object"),
        (
            {"webhooks": {}},
            "webhooks is not a known key (allowed: webhook, pay, status, token, refund)",
        ),
        ({"webhook": {"mode": "explode"}}, "webhook.mode must be one of"),
        ({"webhook": {"mode": "drop", "extra": 1}}, "webhook.extra is not a known key"),
        ({"webhook": {"times": 0}}, "webhook.times must be between 1 and 20"),
        ({"webhook": {"delaySeconds": -1}}, "webhook.delaySeconds must be between"),
        ({"webhook": {"delaySeconds": "5"}}, "webhook.delaySeconds must be a number"),
        ({"status": {"errorStatus": 404}}, "status.errorStatus must be one of 429, 500, 503"),
        ({"status": {"errorStatus": True}}, "status.errorStatus must be one of"),
        ({"status": {"errorTimes": 2}}, "status.errorTimes needs status.errorStatus"),
        ({"pay": {"errorStatus": 500, "errorTimes": "2"}}, "pay.errorTimes must be an integer"),
        ({"token": {"slowSeconds": 1000}}, "token.slowSeconds must be between 0 and 120"),
        ({"status": None}, "status must be an object"),
        ({"refund": []}, "refund must be an object"),
        ({"refund": {"times": 1}}, "refund.times is not a known key (allowed: failTimes,"),
        ({"refund": {"failTimes": -1}}, "refund.failTimes must be between 0 and 1000"),
        ({"refund": {"failTimes": True}}, "refund.failTimes must be an integer"),
        ({"refund": {"failTimes": 1.5}}, "refund.failTimes must be an integer"),
        ({"refund": {"errorCode": "upi error"}}, "refund.errorCode must be 1-64 characters"),
        ({"refund": {"errorCode": None}}, "refund.errorCode must be 1-64 characters"),
        ({"refund": {"detailedErrorCode": 7}}, "refund.detailedErrorCode must be 1-64"),
    ],
)
def test_bad_rules_answer_400_and_change_nothing(api, rule, mentions):
    _set_global(api, {"webhook": {"mode": "drop"}})
    merchant_order_id = api.create_order()

    for path in (f"{CONTROL}/chaos", f"{CONTROL}/orders/{merchant_order_id}/chaos"):
        response = api.post_json(path, rule, {})

        assert response.status_code == 400
        assert response.json()["code"] == "BAD_REQUEST"
        assert mentions in response.json()["message"]
    assert api.client.get(f"{CONTROL}/chaos").json()["runtimeRule"] == {"webhook": {"mode": "drop"}}
    assert api.client.get(f"{CONTROL}/orders/{merchant_order_id}/chaos").json()["rule"] == {}


def test_global_rule_replace_read_and_clear(api, settings):
    settings.SANDBOX_CHAOS = {"webhook": {"mode": "duplicate", "times": 3}}

    # POST replaces the runtime rule; the answer is the effective global rule
    body = _set_global(api, {"webhook": {"delaySeconds": 5}, "status": {"errorStatus": 429}})
    assert body["rule"] == {
        "webhook": {"mode": "duplicate", "times": 3, "delaySeconds": 5},
        "status": {"errorStatus": 429, "errorTimes": 1},
    }
    assert body["settingsRule"] == {"webhook": {"mode": "duplicate", "times": 3}}
    assert api.client.get(f"{CONTROL}/chaos").json() == body

    # DELETE drops the runtime rule; the settings rule stays
    cleared = api.client.delete(f"{CONTROL}/chaos").json()
    assert cleared["runtimeRule"] == {}
    assert cleared["rule"] == {"webhook": {"mode": "duplicate", "times": 3}}


def test_order_rule_overlays_the_global_ones(api, settings):
    settings.SANDBOX_CHAOS = {"webhook": {"mode": "duplicate"}, "status": {"slowSeconds": 1}}
    _set_global(api, {"webhook": {"delaySeconds": 2}})
    merchant_order_id = api.create_order()

    body = _set_order(api, merchant_order_id, {"webhook": {"mode": "drop"}})

    assert body["rule"] == {"webhook": {"mode": "drop"}}
    assert body["effective"] == {
        "webhook": {"mode": "drop", "delaySeconds": 2},
        "status": {"slowSeconds": 1},
    }
    assert api.client.get(f"{CONTROL}/orders/{merchant_order_id}/chaos").json() == body


def test_order_chaos_of_an_unknown_order_is_404(api):
    response = api.post_json(f"{CONTROL}/orders/NOPE/chaos", {}, {})

    assert response.status_code == 404
    assert response.json()["code"] == "ORDER_NOT_FOUND"


def test_chaos_control_refuses_other_methods(api):
    assert api.client.put(f"{CONTROL}/chaos").status_code == 405
    merchant_order_id = api.create_order()
    assert api.client.delete(f"{CONTROL}/orders/{merchant_order_id}/chaos").status_code == 405


def test_settings_rule_is_checked_at_start_up(settings):
    settings.SANDBOX_CHAOS = {"webhook": {"mode": "sometimes"}}

    with pytest.raises(SystemCheckError, match=r"SANDBOX_CHAOS is invalid: webhook\.mode"):
        call_command("check")


# --- Webhook modes ----------------------------------------------------------------------------


def test_drop_records_the_delivery_and_never_sends_it(api, hooks):
    _set_global(api, {"webhook": {"mode": "drop"}})

    _paid_with_hooks(api, hooks)

    assert hooks.queued == []
    webhook = SandboxWebhook.objects.get()
    assert (webhook.state, webhook.event) == ("DROPPED", "checkout.order.completed")
    assert deliver_webhook.run(webhook.pk) == "DROPPED"
    assert hooks.receiver.requests == []


def test_duplicate_sends_n_identical_bodies(api, hooks):
    merchant_order_id = api.create_order()
    _set_order(api, merchant_order_id, {"webhook": {"mode": "duplicate", "times": 3}})

    _paid_with_hooks(api, hooks, merchant_order_id)

    assert len(hooks.queued) == 3
    assert hooks.run_queued() == ["DELIVERED"] * 3
    bodies = [request.body for request in hooks.receiver.requests]
    assert len(bodies) == 3
    assert len(set(bodies)) == 1
    assert sorted(SandboxWebhook.objects.values_list("kind", flat=True)) == [
        "COPY",
        "COPY",
        "EVENT",
    ]


def test_duplicate_defaults_to_two_copies(api, hooks):
    _set_global(api, {"webhook": {"mode": "duplicate"}})

    _paid_with_hooks(api, hooks)

    assert len(hooks.queued) == 2


def test_reorder_sends_a_stale_attempt_failed_after_the_terminal_event(api, hooks):
    # given an order whose webhooks arrive out of order, 3 s late
    merchant_order_id = api.create_order()
    _set_order(api, merchant_order_id, {"webhook": {"mode": "reorder", "delaySeconds": 3}})

    # when it completes
    _paid_with_hooks(api, hooks, merchant_order_id)

    # then the terminal event is due at 3 s and a stale one at 4 s
    events = dict(SandboxWebhook.objects.values_list("pk", "event"))
    assert sorted((events[item.webhook_id], item.countdown) for item in hooks.queued) == [
        ("checkout.order.completed", 3),
        ("checkout.transaction.attempt.failed", 4),
    ]
    hooks.run_queued()
    completed, stale = (request.json() for request in hooks.receiver.requests)
    assert completed["payload"]["state"] == "COMPLETED"
    assert stale["type"] == "CHECKOUT_TRANSACTION_ATTEMPT_FAILED"
    # the stale one shows the order still PENDING with an older, failed attempt
    payload = stale["payload"]
    assert payload["state"] == "PENDING"
    assert "errorCode" not in payload
    [old] = payload["paymentDetails"]
    [real] = completed["payload"]["paymentDetails"]
    assert old["state"] == "FAILED"
    assert old["transactionId"] != real["transactionId"]
    assert old["timestamp"] <= real["timestamp"]
    assert old["paymentMode"] == real["paymentMode"]


def test_reorder_of_a_refund_sends_a_stale_accepted_after_completed(api, hooks, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = api.paid_order()
    _set_order(api, merchant_order_id, {"webhook": {"mode": "reorder"}})
    api.refund(
        {"merchantRefundId": "RF-C1", "originalMerchantOrderId": merchant_order_id, "amount": 100}
    )

    with hooks.capture():
        assert api.refund_status("RF-C1").json()["state"] == "COMPLETED"
    hooks.run_queued()

    bodies = [request.json() for request in hooks.receiver.requests]
    assert [(body["event"], body["payload"]["state"]) for body in bodies] == [
        ("pg.refund.accepted", "CONFIRMED"),
        ("pg.refund.completed", "COMPLETED"),
        ("pg.refund.accepted", "CONFIRMED"),
    ]


def test_delay_postpones_every_delivery(api, hooks):
    _set_global(api, {"webhook": {"mode": "duplicate", "delaySeconds": 5}})

    _paid_with_hooks(api, hooks)

    assert [item.countdown for item in hooks.queued] == [5, 5]
    for webhook in SandboxWebhook.objects.all():
        assert 4.5 <= (webhook.deliver_after - webhook.created_at).total_seconds() <= 5.5


def test_before_return_delivers_inside_the_pay_page_post(api, hooks):
    # given an order whose webhook must beat the shopper back to the shop
    merchant_order_id = api.create_order()
    _set_order(api, merchant_order_id, {"webhook": {"mode": "before_return"}})
    seen_at_redirect = []

    # when the payer pays on the hosted page
    with hooks.capture():
        response = api.client.post(
            api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "success@ybl"}
        )
        seen_at_redirect = list(hooks.receiver.requests)

    # then the merchant had the webhook when the 302 came back, and nothing was queued
    assert response.status_code == 302
    assert [request.json()["event"] for request in seen_at_redirect] == ["checkout.order.completed"]
    assert hooks.queued == []
    webhook = SandboxWebhook.objects.get()
    assert (webhook.state, webhook.deliver_inline) == ("DELIVERED", True)


def test_before_return_retries_through_the_queue_if_the_merchant_fails(api, hooks):
    merchant_order_id = api.create_order()
    _set_order(api, merchant_order_id, {"webhook": {"mode": "before_return"}})
    hooks.receiver.fail_next = 1

    response = api.client.post(api.pay_page_url(merchant_order_id), {"method": "cancel"})

    assert response.status_code == 302
    assert len(hooks.queued) == 1
    assert hooks.run_queued() == ["DELIVERED"]
    assert hooks.receiver.events() == ["checkout.order.failed"] * 2


def test_before_return_is_normal_outside_the_pay_page(api, hooks):
    _set_global(api, {"webhook": {"mode": "before_return"}})

    _paid_with_hooks(api, hooks)

    assert len(hooks.queued) == 1
    assert hooks.receiver.requests == []


# --- API faults -------------------------------------------------------------------------------


def test_status_errors_come_n_times_then_the_answer(api):
    merchant_order_id = api.create_order()
    _set_global(api, {"status": {"errorStatus": 429, "errorTimes": 2}})

    answers = [api.status(merchant_order_id) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [429, 429, 200]
    body = answers[0].json()
    assert body["code"] == "TOO_MANY_REQUESTS"
    assert body["message"]
    assert answers[2].json()["merchantOrderId"] == merchant_order_id
    assert api.client.get(f"{CONTROL}/chaos").json()["errorsLeft"] == {"status": 0}


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_have_phonepe_bodies(api, status):
    merchant_order_id = api.create_order()
    _set_global(api, {"status": {"errorStatus": status}})

    response = api.status(merchant_order_id)

    assert response.status_code == status
    assert response.json()["code"] == "INTERNAL_SERVER_ERROR"
    assert api.status(merchant_order_id).status_code == 200


def test_an_order_rule_faults_only_that_order(api):
    troubled, fine = api.create_order(), api.create_order()
    _set_order(api, troubled, {"status": {"errorStatus": 500, "errorTimes": 1}})

    assert api.status(fine).status_code == 200
    assert api.status(troubled).status_code == 500
    assert api.status(troubled).status_code == 200
    transaction_id = api.complete(troubled, outcome="PENDING").json()["paymentDetails"][0][
        "transactionId"
    ]
    _set_order(api, troubled, {"status": {"errorStatus": 503, "errorTimes": 1}})
    response = api.client.get(
        f"/sandbox/pg/checkout/v2/transaction/{transaction_id}/status", headers=api.auth()
    )
    assert response.status_code == 503


def test_posting_a_rule_again_rearms_its_countdown(api):
    merchant_order_id = api.create_order()
    rule = {"status": {"errorStatus": 500, "errorTimes": 1}}
    _set_global(api, rule)
    assert api.status(merchant_order_id).status_code == 500
    assert api.status(merchant_order_id).status_code == 200

    _set_global(api, rule)

    assert api.status(merchant_order_id).status_code == 500


def test_settings_rule_faults_every_call(api, settings):
    merchant_order_id = api.create_order()
    settings.SANDBOX_CHAOS = {"status": {"errorStatus": 503, "errorTimes": 1}}

    assert [api.status(merchant_order_id).status_code for _ in range(2)] == [503, 200]


def test_pay_errors_and_a_repost_of_a_known_order(api):
    # a global pay fault: the first pay call fails and creates nothing
    _set_global(api, {"pay": {"errorStatus": 503}})
    body = api.body("T-PAY-1")
    assert api.pay(body).status_code == 503
    assert api.pay(body).status_code == 200

    # an order rule applies when the same merchantOrderId is POSTed again
    _set_order(api, "T-PAY-1", {"pay": {"errorStatus": 429, "errorTimes": 1}})
    assert api.pay(api.body("T-PAY-2")).status_code == 200
    assert api.pay(body).status_code == 429
    assert api.pay(body).status_code == 200


def test_token_errors_only_after_good_credentials(api):
    _set_global(api, {"token": {"errorStatus": 429, "errorTimes": 1}})

    # bad credentials are never answered with a retryable error, and use up no fault
    bad = api.token_response(client_secret="wrong")
    assert bad.status_code == 401
    assert api.token_response().status_code == 429
    assert api.token_response().status_code == 200


def test_slow_seconds_delays_the_answer(api):
    merchant_order_id = api.create_order()
    _set_order(api, merchant_order_id, {"status": {"slowSeconds": 0.2}})

    started = time.monotonic()
    response = api.status(merchant_order_id)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


def test_slow_pay_still_creates_the_order(api):
    _set_global(api, {"pay": {"slowSeconds": 0.1}})

    started = time.monotonic()
    merchant_order_id = api.create_order()

    assert time.monotonic() - started >= 0.1
    assert api.status_body(merchant_order_id)["state"] == "PENDING"
