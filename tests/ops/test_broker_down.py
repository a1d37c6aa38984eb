"""The broker really down: a private redis-server, stopped while gunicorn keeps serving. Webhooks
are still authenticated, stored and acknowledged; once Redis is back, beat's sweeper queues the
stored deliveries and a worker processes each once."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone
from kombu.exceptions import OperationalError

from payments.gateways.base import GatewayStatus
from payments.models import Order, WebhookEvent
from payments.state import OrderStatus
from tests.factories import PaymentFactory
from tests.ops.environments import development_env
from tests.ops.services import PrivateRedis, celery_worker, gunicorn, stop_process, wait_until
from tests.webhooks import order_webhook, webhook_auth


def deliver(url: str, body: bytes, auth: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(
        f"{url}/payments/webhooks/phonepe/",
        data=body,
        headers={"Authorization": auth, "Content-Type": "application/json"},
        timeout=30,
    )
    return response, time.monotonic() - started


def status_of(event_id: int) -> str:
    return WebhookEvent.objects.get(pk=event_id).status


@pytest.mark.django_db(transaction=True)
def test_webhooks_survive_a_broker_outage_and_are_processed_when_it_returns(
    private_redis: PrivateRedis, tmp_path: Path
) -> None:
    env = development_env(
        tmp_path,
        broker_url=private_redis.url,
        WEBHOOK_REQUEUE_INTERVAL_SECONDS="1",
        PAYMENTS_SWEEP_INTERVAL_SECONDS="60",
    )
    with gunicorn(env, tmp_path / "web.log") as url:
        # Given the broker is down
        private_redis.stop()

        # When PhonePe calls: a forged call is still refused, a genuine one acknowledged at once
        forged, _ = deliver(url, order_webhook("LL-261127-AAAAA-P1-0001"), webhook_auth("x", "y"))
        genuine, took = deliver(url, order_webhook("LL-261127-AAAAA-P1-0001"), webhook_auth())

        # Then
        assert forged.status_code == 401
        assert genuine.status_code == 200, genuine.text
        assert genuine.json()["status"] == "accepted"
        assert took < 5, f"acknowledging took {took:.1f}s with the broker down"
        stored = genuine.json()["id"]
        assert WebhookEvent.objects.count() == 1  # the forged one left nothing
        assert status_of(stored) == WebhookEvent.Status.RECEIVED

        # The broker comes back; a delivery arriving now is queued straight away ...
        private_redis.start()
        fresh, _ = deliver(url, order_webhook("LL-261127-BBBBB-P1-0001"), webhook_auth())
        assert fresh.status_code == 200
        # ... and the one stored during the outage is older than the sweeper's threshold
        WebhookEvent.objects.filter(pk=stored).update(
            received_at=timezone.now() - timedelta(minutes=1)
        )
        worker = celery_worker(
            env,
            tmp_path / "worker.log",
            queue=env["CELERY_TASK_DEFAULT_QUEUE"],
            beat_schedule=tmp_path / "beat-schedule",
        )
        try:
            wait_until(
                lambda: (
                    WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED).count() == 0
                ),
                timeout=60,
                what="both webhook deliveries to be processed",
            )
        finally:
            stop_process(worker)

    # Nothing was lost, and each delivery was processed once (no payment of ours: ignored)
    for event in WebhookEvent.objects.all():
        assert event.status == WebhookEvent.Status.IGNORED, (event.pk, event.status, event.error)
        assert event.attempts == 1
        assert "No payment LL-261127-" in event.result


@pytest.mark.django_db(transaction=True)  # so that on_commit callbacks really run
def test_the_shoppers_return_still_shows_the_paid_order_with_the_broker_down(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    payment = PaymentFactory.create()
    order = payment.order

    class Gateway:
        def get_order_status(self, merchant_order_id: str) -> GatewayStatus:
            return GatewayStatus(
                merchant_order_id=merchant_order_id,
                gateway_order_id=payment.gateway_order_id,
                state="COMPLETED",
                amount_paise=payment.amount_paise,
                currency="INR",
                expires_at=None,
            )

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("payments.services.payments.get_gateway", Gateway)
    monkeypatch.setattr("payments.tasks.send_order_receipt.delay", broker_down)

    response = client.get(f"/payments/return/{payment.merchant_order_id}/")

    assert response.status_code == 200  # another browser: the "where things stand" page
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
