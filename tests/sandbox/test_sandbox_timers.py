"""Time-based changes happen on time without a read: the tasks scheduled for refunds, expiries
and slow payments (sandbox.tasks), queued on commit and run here by hand."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from sandbox import tasks
from sandbox.models import SandboxAttempt, SandboxOrder, SandboxRefund, SandboxWebhook

pytestmark = pytest.mark.django_db


def _refund(api, hooks, merchant_order_id, merchant_refund_id, amount=50000):
    with hooks.capture():
        response = api.refund(
            {
                "merchantRefundId": merchant_refund_id,
                "originalMerchantOrderId": merchant_order_id,
                "amount": amount,
            }
        )
    assert response.status_code == 200, response.content
    return response.json()


def _paid_order(api, hooks):
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    hooks.run_queued()
    hooks.receiver.reset()
    return merchant_order_id


def _due_now(**fields):
    return {name: timezone.now() - timedelta(seconds=1) for name in fields}


# --- Refunds ----------------------------------------------------------------------------------


def test_a_refund_nobody_polls_is_confirmed_then_completed_with_its_webhooks(
    api, hooks, timers, settings
):
    # given a refund (confirm after 1 s, complete after 2 s, the defaults)
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 1
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 2
    merchant_order_id = _paid_order(api, hooks)
    timers.take()
    body = _refund(api, hooks, merchant_order_id, "RF-T-1")

    # then its first step is queued for the confirmation time, once the refund committed
    [timer] = timers.queued
    assert (timer.task, timer.key) == ("advance_refund", body["refundId"])
    assert 0.5 < timer.countdown <= 1

    # when the worker runs it on time
    refund = SandboxRefund.objects.get(merchant_refund_id="RF-T-1")
    SandboxRefund.objects.filter(pk=refund.pk).update(confirm_at=timezone.now())
    with hooks.capture():
        assert timers.run() == ["CONFIRMED"]

    # then the refund is CONFIRMED and the next step waits for the completion time
    [timer] = timers.queued
    assert timer.task == "advance_refund"
    assert 0.5 < timer.countdown <= 2
    SandboxRefund.objects.filter(pk=refund.pk).update(complete_at=timezone.now())
    with hooks.capture():
        assert timers.run() == ["COMPLETED"]
    assert timers.queued == []

    # and the merchant heard both steps without asking
    hooks.run_queued()
    assert hooks.receiver.events() == ["pg.refund.accepted", "pg.refund.completed"]
    completed = hooks.receiver.requests[1].json()["payload"]
    assert (completed["merchantRefundId"], completed["state"]) == ("RF-T-1", "COMPLETED")
    refund.refresh_from_db()
    assert refund.status_reads == 0
    assert refund.finished_at is not None


def test_running_the_refund_task_again_changes_and_announces_nothing(api, hooks, timers):
    merchant_order_id = _paid_order(api, hooks)
    body = _refund(api, hooks, merchant_order_id, "RF-T-2")
    SandboxRefund.objects.filter(merchant_refund_id="RF-T-2").update(
        **_due_now(confirm_at=1, complete_at=1)
    )

    with hooks.capture():
        states = [tasks.advance_refund.run(body["refundId"]) for _ in range(3)]

    assert states == ["COMPLETED"] * 3
    events = SandboxWebhook.objects.filter(refund__merchant_refund_id="RF-T-2")
    assert sorted(events.values_list("event", flat=True)) == [
        "pg.refund.accepted",
        "pg.refund.completed",
    ]


def test_a_refund_task_that_runs_early_changes_nothing_and_comes_back_on_time(
    api, hooks, timers, settings
):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 60
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 120
    merchant_order_id = _paid_order(api, hooks)
    body = _refund(api, hooks, merchant_order_id, "RF-T-3")
    timers.take()

    with hooks.capture():
        assert tasks.advance_refund.run(body["refundId"]) == "PENDING"

    [timer] = timers.queued
    assert 55 < timer.countdown <= 60
    assert not SandboxWebhook.objects.filter(refund__merchant_refund_id="RF-T-3").exists()


def test_a_status_read_first_leaves_the_task_nothing_to_do(api, hooks, timers, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = _paid_order(api, hooks)
    body = _refund(api, hooks, merchant_order_id, "RF-T-4")
    with hooks.capture():
        assert api.refund_status("RF-T-4").json()["state"] == "COMPLETED"

    with hooks.capture():
        assert timers.run() == ["COMPLETED"]

    assert body["state"] == "PENDING"
    hooks.run_queued()
    assert hooks.receiver.events() == ["pg.refund.accepted", "pg.refund.completed"]


def test_refused_and_repeated_refunds_queue_nothing(api, hooks, timers):
    merchant_order_id = _paid_order(api, hooks)
    _refund(api, hooks, merchant_order_id, "RF-T-5")
    timers.take()

    with hooks.capture():
        assert _refund(api, hooks, merchant_order_id, "RF-T-5")["state"] == "PENDING"
        over = api.refund(
            {
                "merchantRefundId": "RF-T-6",
                "originalMerchantOrderId": merchant_order_id,
                "amount": 10**7,
            }
        )

    assert over.status_code == 400
    assert timers.queued == []


# --- Orders -----------------------------------------------------------------------------------


def test_an_order_nobody_reads_fails_at_its_expiry_with_its_webhook(api, hooks, timers):
    # given an order that expires in 300 s
    with hooks.capture():
        merchant_order_id = api.create_order(expireAfter=300)
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)
    [timer] = timers.queued
    assert (timer.task, timer.key) == ("expire_order", order.order_id)
    assert 295 < timer.countdown <= 300

    # when its time is up and the task runs
    SandboxOrder.objects.filter(pk=order.pk).update(expire_at=timezone.now())
    with hooks.capture():
        assert timers.run() == ["FAILED"]

    # then the merchant is told, though nobody asked for the status
    hooks.run_queued()
    [request] = hooks.receiver.requests
    assert request.json()["event"] == "checkout.order.failed"
    assert request.json()["payload"]["detailedErrorCode"] == "TXN_AUTO_FAILED"


def test_the_expiry_task_leaves_a_finished_order_alone(api, hooks, timers):
    merchant_order_id = _paid_order(api, hooks)
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)
    SandboxOrder.objects.filter(pk=order.pk).update(expire_at=timezone.now())

    with hooks.capture():
        assert tasks.expire_order.run(order.order_id) == "COMPLETED"

    assert hooks.queued == []
    assert timers.queued == []


def test_an_expiry_task_that_runs_early_waits_again(api, hooks, timers):
    merchant_order_id = api.create_order(expireAfter=600)
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)

    with hooks.capture():
        assert tasks.expire_order.run(order.order_id) == "PENDING"

    [timer] = timers.queued
    assert timer.task == "expire_order"
    assert 590 < timer.countdown <= 600


def test_control_expire_queues_the_expiry_now(api, hooks, timers):
    merchant_order_id = api.create_order()
    timers.take()

    with hooks.capture():
        response = api.post_json(f"/sandbox/pg/_control/orders/{merchant_order_id}/expire", {}, {})
    assert response.status_code == 200
    [timer] = timers.queued
    assert (timer.task, timer.countdown) == ("expire_order", 0)

    with hooks.capture():
        assert timers.run() == ["FAILED"]
    hooks.run_queued()
    assert hooks.receiver.events() == ["checkout.order.failed"]


def test_a_slow_payment_settles_on_time_without_a_read(api, hooks, timers, settings):
    # given a payer who paid with slow@ybl (pending, succeeds 20 s later)
    settings.SANDBOX_SLOW_SETTLE_SECONDS = 20
    merchant_order_id = api.create_order()
    timers.take()
    with hooks.capture():
        api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "slow@ybl"})
    attempt = SandboxAttempt.objects.get(order__merchant_order_id=merchant_order_id)
    [timer] = timers.queued
    assert (timer.task, timer.key) == ("settle_payment", attempt.transaction_id)
    assert 15 < timer.countdown <= 20

    # when its time comes and the task runs
    SandboxAttempt.objects.filter(pk=attempt.pk).update(settle_at=timezone.now())
    with hooks.capture():
        assert timers.run() == ["COMPLETED"]

    # then the order is COMPLETED and announced
    hooks.run_queued()
    assert hooks.receiver.events() == ["checkout.order.completed"]
    assert SandboxOrder.objects.get(pk=attempt.order_id).state == "COMPLETED"


@pytest.mark.parametrize(
    ("task", "key"),
    [
        ("advance_refund", "OMR0000"),
        ("expire_order", "OMO0000"),
        ("settle_payment", "OM0000"),
    ],
)
def test_tasks_whose_row_is_gone_do_nothing(task, key):
    assert getattr(tasks, task).run(key) == "MISSING"


# --- When nothing is queued --------------------------------------------------------------------


def test_nothing_is_queued_while_webhooks_are_off(api, hooks, timers, settings):
    settings.SANDBOX_WEBHOOK_URL = ""
    with hooks.capture():
        merchant_order_id = api.create_order()
        api.complete(merchant_order_id, outcome="SUCCESS")
        api.refund(
            {
                "merchantRefundId": "RF-OFF",
                "originalMerchantOrderId": merchant_order_id,
                "amount": 100,
            }
        )

    assert timers.queued == []


def test_nothing_is_queued_when_celery_runs_tasks_eagerly(api, hooks, timers, monkeypatch):
    # An eager task cannot wait for its time; reads still apply every change.
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)

    with hooks.capture():
        api.create_order()

    assert timers.queued == []
