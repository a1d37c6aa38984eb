"""Webhooks from the sandbox to the merchant (phonepe-v2.md §6), as the merchant receives them.

Deliveries are queued on commit; the `hooks` fixture records the queue and runs the task body
in-process against a real HTTP receiver on 127.0.0.1.
"""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import SandboxOrder, SandboxRefund, SandboxWebhook
from sandbox.services import webhooks
from sandbox.tasks import deliver_webhook

pytestmark = pytest.mark.django_db


def _expected_header(settings) -> str:
    credentials = f"{settings.SANDBOX_WEBHOOK_USERNAME}:{settings.SANDBOX_WEBHOOK_PASSWORD}"
    return hashlib.sha256(credentials.encode()).hexdigest()


def _refund(api, merchant_order_id, merchant_refund_id, amount=50000):
    response = api.refund(
        {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": merchant_order_id,
            "amount": amount,
        }
    )
    assert response.status_code == 200, response.content
    return response


def test_completed_order_sends_checkout_order_completed(api, hooks, settings):
    # given a pending order
    merchant_order_id = api.create_order()

    # when the payer pays (the change commits and queues one delivery, right away)
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS", paymentMode="UPI_COLLECT")
    assert [item.countdown for item in hooks.queued] == [0]
    assert hooks.run_queued() == ["DELIVERED"]

    # then the merchant got PhonePe's body and header
    [request] = hooks.receiver.requests
    assert request.method == "POST"
    assert request.path == "/payments/webhooks/phonepe/"
    assert request.headers["Authorization"] == _expected_header(settings)
    assert re.fullmatch(r"[0-9a-f]{64}", request.headers["Authorization"])
    assert request.headers["Content-Type"] == "application/json"
    assert "Sandbox" in request.headers["User-Agent"]
    body = request.json()
    assert set(body) == {"event", "type", "payload"}
    assert (body["event"], body["type"]) == ("checkout.order.completed", "CHECKOUT_ORDER_COMPLETED")
    # the payload is the status API's body with every attempt
    assert body["payload"] == api.status_body(merchant_order_id, details="true")
    assert body["payload"]["state"] == "COMPLETED"
    # and the delivery is recorded
    webhook = SandboxWebhook.objects.get()
    assert (webhook.state, webhook.attempts, webhook.last_status_code) == ("DELIVERED", 1, 200)
    assert webhook.delivered_at is not None
    assert webhook.body == body


def test_header_is_the_documented_digest(api, hooks, settings):
    settings.SANDBOX_WEBHOOK_USERNAME = "username"
    settings.SANDBOX_WEBHOOK_PASSWORD = "password"
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    hooks.run_queued()

    assert hooks.receiver.requests[0].headers["Authorization"] == (
        "bc842c31a9e54efe320d30d948be61291f3ceee4766e36ab25fa65243cd76e0e"
    )


def test_declined_order_sends_checkout_order_failed_with_codes(api, hooks):
    merchant_order_id = api.create_order()

    with hooks.capture():
        api.complete(merchant_order_id, outcome="FAILURE", paymentMode="CARD")
    hooks.run_queued()

    body = hooks.receiver.requests[0].json()
    assert (body["event"], body["type"]) == ("checkout.order.failed", "CHECKOUT_ORDER_FAILED")
    payload = body["payload"]
    assert (payload["state"], payload["errorCode"], payload["detailedErrorCode"]) == (
        "FAILED",
        "INSUFFICIENT_BALANCE",
        "Z9",
    )
    assert payload["paymentDetails"][0]["state"] == "FAILED"


def test_cancel_on_the_pay_page_sends_checkout_order_failed(api, hooks):
    merchant_order_id = api.create_order()

    with hooks.capture():
        api.client.post(api.pay_page_url(merchant_order_id), {"method": "cancel"})
    hooks.run_queued()

    payload = hooks.receiver.requests[0].json()["payload"]
    assert (payload["state"], payload["detailedErrorCode"]) == ("FAILED", "USER_CANCEL")


def test_expiry_found_by_a_status_read_sends_checkout_order_failed_once(api, hooks):
    # given an order left pending (pending@ybl) whose expiry has passed
    merchant_order_id = api.create_order()
    api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "pending@ybl"})
    SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).update(
        expire_at=timezone.now() - timedelta(seconds=1)
    )

    # when the merchant reads its status twice
    with hooks.capture():
        api.status(merchant_order_id)
        api.status(merchant_order_id)
    hooks.run_queued()

    # then one checkout.order.failed went out, with the expiry codes
    [request] = hooks.receiver.requests
    payload = request.json()["payload"]
    assert request.json()["event"] == "checkout.order.failed"
    assert (payload["errorCode"], payload["detailedErrorCode"]) == (
        "TXN_NOT_COMPLETED",
        "TXN_AUTO_FAILED",
    )


def test_slow_payment_settling_on_a_read_sends_checkout_order_completed(api, hooks):
    merchant_order_id = api.create_order()
    api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "slow@ybl"})
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)
    order.attempts.update(settle_at=timezone.now() - timedelta(seconds=1))

    with hooks.capture():
        api.status(merchant_order_id)
    hooks.run_queued()

    assert hooks.receiver.events() == ["checkout.order.completed"]


def test_announcing_the_same_change_twice_records_one_delivery(api, hooks):
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)

    with hooks.capture():
        webhooks.order_event(order)

    assert SandboxWebhook.objects.filter(order=order).count() == 1


def test_refund_sends_accepted_then_completed(api, hooks, settings):
    # given a refund far from its scheduled times
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 600
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, "RF-W1")
    hooks.take()  # the order's own webhook

    # when the merchant polls it until it completes (the second read finishes it)
    with hooks.capture():
        assert api.refund_status("RF-W1").json()["state"] == "PENDING"
        final = api.refund_status("RF-W1").json()
    hooks.run_queued()

    # then it heard pg.refund.accepted (CONFIRMED) and pg.refund.completed, in that order
    bodies = [request.json() for request in hooks.receiver.requests]
    assert [(body["event"], body["type"]) for body in bodies] == [
        ("pg.refund.accepted", "PG_REFUND_ACCEPTED"),
        ("pg.refund.completed", "PG_REFUND_COMPLETED"),
    ]
    accepted, completed = (body["payload"] for body in bodies)
    assert accepted["state"] == "CONFIRMED"
    assert accepted["paymentDetails"][0]["state"] == "CONFIRMED"
    assert completed == final
    assert completed["merchantRefundId"] == "RF-W1"
    assert completed["originalMerchantOrderId"] == merchant_order_id


def test_failed_refund_sends_pg_refund_failed(api, hooks):
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, "RF-W2")
    hooks.take()

    with hooks.capture():
        response = api.post_json(
            "/sandbox/pg/_control/refunds/RF-W2/fail", {"errorCode": "UPI_BACKBONE_ERROR"}, {}
        )
    hooks.run_queued()

    assert response.status_code == 200
    [request] = hooks.receiver.requests
    body = request.json()
    assert (body["event"], body["type"]) == ("pg.refund.failed", "PG_REFUND_FAILED")
    assert (body["payload"]["state"], body["payload"]["errorCode"]) == (
        "FAILED",
        "UPI_BACKBONE_ERROR",
    )
    assert body["payload"] == api.refund_status("RF-W2").json()


def test_refund_webhooks_name_their_refund_and_order(api, hooks):
    merchant_order_id = api.paid_order()
    _refund(api, merchant_order_id, "RF-W3")
    with hooks.capture():
        api.post_json("/sandbox/pg/_control/refunds/RF-W3/fail", {}, {})

    webhook = SandboxWebhook.objects.get(event="pg.refund.failed")
    assert webhook.refund == SandboxRefund.objects.get(merchant_refund_id="RF-W3")
    assert webhook.order is not None
    assert webhook.order.merchant_order_id == merchant_order_id


def test_non_2xx_is_retried_with_exponential_backoff_then_delivered(api, hooks, settings):
    # given a merchant that answers 500 twice
    settings.SANDBOX_WEBHOOK_RETRY_BASE_SECONDS = 2.0
    hooks.receiver.fail_next = 2
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    [first] = hooks.take()

    # when the task runs: 500, retry queued after ~2 s
    assert deliver_webhook.run(first.webhook_id) == "SCHEDULED"
    [retry] = hooks.take()
    assert 2.0 <= retry.countdown <= 2.2
    webhook = SandboxWebhook.objects.get()
    assert (webhook.attempts, webhook.last_status_code) == (1, 500)
    assert "HTTP 500" in webhook.last_error

    # and a repeated message before the retry is due sends nothing
    assert deliver_webhook.run(first.webhook_id) == "SCHEDULED"
    assert len(hooks.receiver.requests) == 1

    # then the retry, once due, meets 500 again and queues the next one ~4 s later
    SandboxWebhook.objects.update(deliver_after=timezone.now())
    assert deliver_webhook.run(retry.webhook_id) == "SCHEDULED"
    [second_retry] = hooks.take()
    assert 4.0 <= second_retry.countdown <= 4.4
    # which delivers
    SandboxWebhook.objects.update(deliver_after=timezone.now())
    assert deliver_webhook.run(second_retry.webhook_id) == "DELIVERED"
    assert hooks.queued == []
    webhook.refresh_from_db()
    assert (webhook.state, webhook.attempts, webhook.last_status_code) == ("DELIVERED", 3, 200)
    assert webhook.last_error == ""
    assert len(hooks.receiver.requests) == 3
    assert len({request.body for request in hooks.receiver.requests}) == 1


def test_gives_up_after_max_attempts(api, hooks, settings):
    settings.SANDBOX_WEBHOOK_MAX_ATTEMPTS = 3
    settings.SANDBOX_WEBHOOK_RETRY_BASE_SECONDS = 0
    hooks.receiver.fail_next = 100
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")

    assert hooks.run_queued() == ["SCHEDULED", "SCHEDULED", "FAILED"]

    webhook = SandboxWebhook.objects.get()
    assert (webhook.state, webhook.attempts) == ("FAILED", 3)
    assert len(hooks.receiver.requests) == 3
    # a task that runs again sends nothing more
    assert deliver_webhook.run(webhook.pk) == "FAILED"
    assert len(hooks.receiver.requests) == 3


def test_timeout_and_connection_errors_are_retried(api, hooks, settings, monkeypatch):
    settings.SANDBOX_WEBHOOK_RETRY_BASE_SECONDS = 0
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.2)
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    [item] = hooks.take()

    # a merchant that does not answer in time
    hooks.receiver.sleep_seconds = 0.5
    assert deliver_webhook.run(item.webhook_id) == "SCHEDULED"
    assert "Timeout" in SandboxWebhook.objects.get().last_error

    # a merchant that is not listening
    hooks.receiver.sleep_seconds = 0
    SandboxWebhook.objects.update(url="http://127.0.0.1:9/nothing-here")
    assert deliver_webhook.run(item.webhook_id) == "SCHEDULED"
    webhook = SandboxWebhook.objects.get()
    assert "ConnectionError" in webhook.last_error
    assert webhook.last_status_code is None
    assert webhook.attempts == 2


def test_delivered_webhook_is_not_sent_again(api, hooks):
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    [item] = hooks.take()

    assert deliver_webhook.run(item.webhook_id) == "DELIVERED"
    assert deliver_webhook.apply(args=(item.webhook_id,)).get() == "DELIVERED"

    assert len(hooks.receiver.requests) == 1
    assert SandboxWebhook.objects.get().attempts == 1


def test_redirects_are_not_followed(api, hooks, settings):
    settings.SANDBOX_WEBHOOK_MAX_ATTEMPTS = 1
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    hooks.receiver.fail_next, hooks.receiver.fail_status = 1, 301

    assert hooks.run_queued() == ["FAILED"]

    assert SandboxWebhook.objects.get().last_status_code == 301


def test_nothing_is_queued_when_the_change_rolls_back(api, hooks):
    merchant_order_id = api.create_order()
    api.complete(merchant_order_id, outcome="SUCCESS")

    with hooks.capture():
        response = api.complete(merchant_order_id, outcome="SUCCESS")

    assert response.status_code == 409
    assert hooks.queued == []


def test_an_empty_webhook_url_switches_webhooks_off(api, hooks, settings):
    settings.SANDBOX_WEBHOOK_URL = ""
    merchant_order_id = api.create_order()

    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    response = api.post_json(
        f"/sandbox/pg/_control/orders/{merchant_order_id}/webhooks/resend", {}, {}
    )

    assert hooks.queued == []
    assert SandboxWebhook.objects.count() == 0
    assert response.status_code == 409
    assert response.json()["code"] == "WEBHOOKS_OFF"
