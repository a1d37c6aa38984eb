"""Celery settings that do not lose work, and gateway retries with backoff."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from config.celery import app
from ops.checks import check_celery_visibility
from payments import tasks
from payments.gateways.base import (
    GatewayRateLimited,
    GatewayServerError,
    GatewayStatus,
    GatewayTimeout,
)
from payments.state import PaymentState
from tests.factories import PaymentFactory

RETRYABLE = {GatewayRateLimited, GatewayServerError, GatewayTimeout}


def test_tasks_are_acknowledged_after_they_run_and_requeued_if_the_worker_dies() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit <= 300
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    # Publishing to a dead broker gives up quickly (about a second), so requests do not hang.
    policy = conf.task_publish_retry_policy
    assert policy["max_retries"] * policy["interval_max"] <= 2


def test_emails_wait_in_their_own_queue_which_a_plain_worker_also_consumes() -> None:
    from django.conf import settings

    def queue_of(task: Any) -> str:
        return str(app.amqp.router.route({}, task.name)["queue"].name)

    email, default = settings.CELERY_EMAIL_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE
    assert email != default
    for task in (tasks.send_order_receipt, tasks.send_refund_email, tasks.send_missing_emails):
        assert queue_of(task) == email, task.name
    for task in (tasks.reverify_payment, tasks.process_webhook_event, tasks.submit_refund):
        assert queue_of(task) == default, task.name
    # A worker started without -Q (the Procfile's) consumes every queue declared here.
    assert {queue.name for queue in app.conf.task_queues} == {default, email}


def test_the_visibility_timeout_outlasts_the_longest_countdown(settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
    assert check_celery_visibility() == []

    # The sandbox queues timers up to an hour ahead: a one-hour timeout is too short
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    (warning,) = check_celery_visibility()
    assert warning.id == "ops.W001"


def test_the_run_configuration_passes_the_checks() -> None:
    assert [m for m in run_checks(tags=["ops"]) if m.id and m.id.startswith("ops.")] == []


@pytest.mark.parametrize(
    "task",
    [
        tasks.reverify_payment,
        tasks.process_webhook_event,
        tasks.submit_refund,
        tasks.reverify_refund,
    ],
)
def test_gateway_tasks_retry_429_5xx_and_timeouts_with_backoff(task: Any) -> None:
    assert set(task.autoretry_for) >= RETRYABLE
    assert task.retry_backoff
    assert task.retry_backoff_max <= 300
    assert task.retry_jitter is True
    assert task.max_retries >= 5
    assert task.acks_late is True


@pytest.mark.django_db
def test_a_rate_limited_then_failing_gateway_is_retried_until_it_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payment = PaymentFactory.create()
    answers: list[Exception | GatewayStatus] = [
        GatewayRateLimited("429 Too Many Requests"),
        GatewayServerError("502 Bad Gateway"),
        GatewayTimeout("No answer from the gateway in time"),
        GatewayStatus(
            merchant_order_id=payment.merchant_order_id,
            gateway_order_id=payment.gateway_order_id,
            state="COMPLETED",
            amount_paise=payment.amount_paise,
            currency="INR",
            expires_at=None,
        ),
    ]
    calls: list[str] = []

    class FlakyGateway:
        def get_order_status(self, merchant_order_id: str) -> GatewayStatus:
            calls.append(merchant_order_id)
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

    monkeypatch.setattr("payments.services.payments.get_gateway", FlakyGateway)

    result = tasks.reverify_payment.apply(args=(payment.pk,))  # eager: retries run at once

    assert result.successful(), result.traceback
    assert result.get() == PaymentState.COMPLETED
    assert len(calls) == 4


@pytest.mark.django_db
def test_a_sweep_check_of_a_payment_settled_since_it_was_queued_asks_nobody(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settled = PaymentFactory.create(state=PaymentState.COMPLETED)
    pending = PaymentFactory.create()
    calls: list[str] = []

    class RecordingGateway:
        def get_order_status(self, merchant_order_id: str) -> GatewayStatus:
            calls.append(merchant_order_id)
            return GatewayStatus(
                merchant_order_id=merchant_order_id,
                gateway_order_id="OMO-1",
                state="PENDING",
                amount_paise=99800,
                currency="INR",
                expires_at=None,
            )

    monkeypatch.setattr("payments.services.payments.get_gateway", RecordingGateway)

    # Queued by the sweep twice behind a long queue, or overtaken by a webhook: no status call.
    assert tasks.reverify_payment.apply(args=(settled.pk,)).get() == PaymentState.COMPLETED
    assert calls == []
    # A payment still pending is asked; an operator's check asks whatever the state.
    assert tasks.reverify_payment.apply(args=(pending.pk,)).get() == PaymentState.PENDING
    tasks.reverify_payment.apply(args=(settled.pk, "admin")).get()
    assert calls == [pending.merchant_order_id, settled.merchant_order_id]
