"""Webhooks delivered to the live shop, processed by the real worker, confirmed with the sandbox's
status API: the webhook triggers, the status API decides."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import requests

from payments.models import Order, Payment, PaymentEvent, WebhookEvent
from payments.services.payments import payment_refresh
from payments.state import OrderStatus, PaymentState
from tests.factories import ProductFactory
from tests.functional.shopper import DETAILS, Shopper
from tests.live import Mailbox, wait_for
from tests.webhooks import order_webhook, webhook_auth

pytestmark = pytest.mark.functional


@pytest.fixture
def pending_payment(shopper: Shopper, shop_url: str) -> Payment:
    """A shopper who chose `pending@ybl`: the gateway has the order, nobody has paid yet."""
    ProductFactory.create(slug="assam", price_paise=44900, stock=5)
    shopper.add_to_cart("assam", 1)
    page = shopper.pay_on_gateway(shopper.checkout(), "upi", vpa="pending@ybl")
    assert "Waiting for your payment" in page.text
    return Payment.objects.get()


def post_webhook(shop_url: str, body: bytes, auth: str | None = None) -> requests.Response:
    return requests.post(
        f"{shop_url}/payments/webhooks/phonepe/",
        data=body,
        headers={"Authorization": auth or webhook_auth(), "Content-Type": "application/json"},
        timeout=10,
    )


def settle(shop_url: str, payment: Payment, outcome: str = "SUCCESS") -> None:
    response = requests.post(
        f"{shop_url}/sandbox/pg/_control/orders/{payment.merchant_order_id}/complete",
        json={"outcome": outcome, "paymentMode": "UPI_COLLECT"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def processed(event_id: int) -> WebhookEvent | None:
    event = WebhookEvent.objects.get(pk=event_id)
    return event if event.status != WebhookEvent.Status.RECEIVED else None


def test_a_tampered_body_with_valid_auth_cannot_mark_an_order_paid(
    pending_payment: Payment, shop_url: str
) -> None:
    # The gateway still says PENDING; someone with the credentials claims COMPLETED.
    response = post_webhook(shop_url, order_webhook(pending_payment.merchant_order_id, amount=100))

    assert response.status_code == 200
    event = wait_for(
        lambda: processed(response.json()["id"]), what="the worker to process the webhook"
    )
    assert event.status == WebhookEvent.Status.PROCESSED
    assert "The webhook said COMPLETED; the status API decides." in event.result
    assert Payment.objects.get(pk=pending_payment.pk).state == PaymentState.PENDING
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_a_forged_webhook_is_refused(pending_payment: Payment, shop_url: str) -> None:
    settle(shop_url, pending_payment)  # even when the claim happens to be true

    response = post_webhook(
        shop_url,
        order_webhook(pending_payment.merchant_order_id),
        auth=webhook_auth(password="guess"),
    )

    assert response.status_code == 401
    assert not WebhookEvent.objects.filter(
        merchant_order_id=pending_payment.merchant_order_id
    ).exists()


def test_a_genuine_webhook_completes_the_order_once_however_often_it_arrives(
    pending_payment: Payment, shop_url: str, mailbox: Mailbox
) -> None:
    settle(shop_url, pending_payment)
    body = order_webhook(
        pending_payment.merchant_order_id, amount=pending_payment.amount_paise, transaction_id="T-1"
    )

    # Five copies at once, as a gateway retrying aggressively would send them
    barrier = threading.Barrier(5)
    answers: list[int] = []

    def send() -> None:
        barrier.wait(timeout=10)
        answers.append(post_webhook(shop_url, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 5
    ours = WebhookEvent.objects.filter(dedupe_key__isnull=False, raw_body=body.decode())
    assert ours.count() == 1
    assert ours.get().duplicate_count == 4
    wait_for(lambda: Order.objects.get().status == OrderStatus.PAID, what="the order to be paid")
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.events.filter(to_state=PaymentState.COMPLETED).count() == 1
    wait_for(lambda: mailbox.to(DETAILS["email"], Order.objects.get().number), what="the receipt")
    assert len(mailbox.to(DETAILS["email"], Order.objects.get().number)) == 1


def test_return_webhook_and_poller_observing_one_completion_together_move_it_once(
    pending_payment: Payment, shop_url: str, shopper: Shopper, mailbox: Mailbox
) -> None:
    settle(shop_url, pending_payment)
    order = Order.objects.get()
    stock_before = order.stock_reservations.get().product.stock
    body = order_webhook(pending_payment.merchant_order_id, amount=pending_payment.amount_paise)
    barrier = threading.Barrier(3)
    outcomes: dict[str, Any] = {}

    def shopper_returns() -> None:
        barrier.wait(timeout=10)
        outcomes["return"] = shopper.get(f"/payments/return/{pending_payment.merchant_order_id}/")

    def gateway_calls_back() -> None:
        barrier.wait(timeout=10)
        outcomes["webhook"] = post_webhook(shop_url, body)

    def poller_checks() -> None:
        barrier.wait(timeout=10)
        outcomes["poll"] = payment_refresh(
            payment_id=pending_payment.pk, source=PaymentEvent.Source.POLL
        )

    threads = [
        threading.Thread(target=f) for f in (shopper_returns, gateway_calls_back, poller_checks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "Thank you, Asha Rao!" in outcomes["return"].text
    assert outcomes["webhook"].status_code == 200
    wait_for(
        lambda: processed(outcomes["webhook"].json()["id"]), what="the webhook to be processed"
    )
    payment = Payment.objects.get(pk=pending_payment.pk)
    assert payment.state == PaymentState.COMPLETED
    assert payment.events.filter(to_state=PaymentState.COMPLETED).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.stock_reservations.get().product.stock == stock_before  # no stock movement
    wait_for(lambda: mailbox.to(DETAILS["email"], order.number), what="the receipt")
    assert len(mailbox.to(DETAILS["email"], order.number)) == 1


def test_a_webhook_for_a_payment_we_do_not_have_is_recorded_and_ignored(shop_url: str) -> None:
    response = post_webhook(shop_url, order_webhook("LL-NOT-OURS-P1-0000"))

    assert response.status_code == 200
    event = wait_for(lambda: processed(response.json()["id"]), what="the webhook to be processed")
    assert event.status == WebhookEvent.Status.IGNORED
    assert "No payment LL-NOT-OURS-P1-0000" in event.result


def test_a_refund_webhook_for_a_refund_we_do_not_have_is_recorded_and_ignored(
    shop_url: str,
) -> None:
    body = json.dumps(
        {
            "event": "pg.refund.completed",
            "type": "PG_REFUND_COMPLETED",
            "payload": {
                "merchantRefundId": "RF-1",
                "originalMerchantOrderId": "X",
                "state": "COMPLETED",
            },
        }
    ).encode()

    response = post_webhook(shop_url, body)

    assert response.status_code == 200
    event = wait_for(lambda: processed(response.json()["id"]), what="the webhook to be processed")
    assert (event.status, event.merchant_refund_id) == (WebhookEvent.Status.IGNORED, "RF-1")
    assert "No refund RF-1 in this shop." in event.result
