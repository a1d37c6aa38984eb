"""The webhook endpoint as PhonePe (or an attacker) sees it, through Django's test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from payments.models import Payment, WebhookEvent
from payments.state import PaymentState
from tests.factories import PaymentFactory
from tests.webhooks import order_webhook, webhook_auth

pytestmark = pytest.mark.django_db
URL = "/payments/webhooks/phonepe/"


def deliver(client: Client, body: bytes, auth: str | None = None) -> Any:
    headers = {} if auth == "" else {"Authorization": auth or webhook_auth()}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "auth", ["", "0" * 64, webhook_auth(password="guessed"), webhook_auth().upper()[:-1]]
)
def test_forged_or_missing_auth_gets_401_and_changes_nothing(client: Client, auth: str) -> None:
    payment = PaymentFactory.create()

    response = deliver(client, order_webhook(payment.merchant_order_id), auth=auth)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_an_accepted_delivery_is_stored_and_queued_after_commit(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = PaymentFactory.create()
    body = order_webhook(payment.merchant_order_id)

    with django_capture_on_commit_callbacks() as queued:
        response = deliver(client, body)

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.RECEIVED
    assert (event.event, event.merchant_order_id, event.payload_state) == (
        "checkout.order.completed",
        payment.merchant_order_id,
        "COMPLETED",
    )
    assert event.raw_body == body.decode()
    assert event.headers["Content-Type"] == "application/json"
    assert "Authorization" not in event.headers
    assert len(queued) == 1
    # Nothing is applied by the endpoint itself: the status API decides, later.
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_a_duplicate_is_acknowledged_counted_and_not_queued_again(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = PaymentFactory.create()
    body = order_webhook(payment.merchant_order_id)
    deliver(client, body)

    with django_capture_on_commit_callbacks() as queued:
        response = deliver(client, body)

    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    event = WebhookEvent.objects.get()
    assert event.duplicate_count == 1
    assert event.last_duplicate_at is not None
    assert queued == []


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{broken", 400), (b'{"event": "checkout.order.completed", "payload": []}', 400),
     (b'{"event": "mystery.event", "payload": {"state": "X"}}', 422)],
)  # fmt: skip
def test_unreadable_or_unknown_deliveries_get_a_clear_4xx_and_are_kept(
    client: Client, body: bytes, status: int
) -> None:
    response = deliver(client, body)

    assert response.status_code == status
    assert response.json()["error"]
    kept = WebhookEvent.objects.get()
    assert kept.status == WebhookEvent.Status.REJECTED
    assert kept.raw_body == body.decode()
    assert kept.error == response.json()["error"]


def test_only_post_is_accepted(client: Client) -> None:
    assert client.get(URL).status_code == 405


def test_an_oversized_body_is_refused_without_storing(client: Client) -> None:
    response = deliver(client, b"{" + b" " * (70 * 1024) + b"}")
    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()
