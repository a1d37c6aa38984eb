"""A pay call whose answer never comes: the payment stays resolvable, nothing is sent twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone

from payments.models import Order, Payment, PaymentEvent
from payments.services.payments import payment_refresh
from payments.state import OrderStatus, PaymentState
from tests.factories import ProductFactory
from tests.functional.netfaults import answer_losing_proxy, silent_server
from tests.functional.shopper import Shopper
from tests.live import wait_for

pytestmark = pytest.mark.functional


@pytest.fixture
def tea(shop_url: str) -> Any:
    return ProductFactory.create(slug="assam", price_paise=44900, stock=5)


def test_a_pay_call_that_never_reached_the_gateway_ends_failed_and_can_be_retried(
    shopper: Shopper, tea: Any, settings: Any, shop_url: str
) -> None:
    shopper.add_to_cart("assam", 1)
    with silent_server() as dead_gateway:
        settings.PHONEPE_BASE_URL = dead_gateway  # tokens still come from the sandbox
        settings.PHONEPE_READ_TIMEOUT = 1.0

        page = shopper.checkout()

    # The shopper is told, the order is kept, nothing was charged
    assert "Payments are unavailable right now. Your order is saved" in page.text
    assert "We couldn't reach the payment gateway" in page.text
    payment = Payment.objects.get()
    assert payment.state == PaymentState.CREATED
    assert "outcome unknown" in payment.events.get().message

    # The status API (the real sandbox again) has never heard of it: once the call can no
    # longer be in flight, the attempt is failed; until then it is left alone.
    settings.PHONEPE_BASE_URL = f"{shop_url}/sandbox/pg"
    assert not payment_refresh(payment_id=payment.pk, source=PaymentEvent.Source.POLL).changed
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert payment_refresh(payment_id=payment.pk, source=PaymentEvent.Source.POLL).changed
    payment.refresh_from_db()
    assert (payment.state, payment.error_code) == (PaymentState.FAILED, "NOT_CREATED")
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_FAILED

    page = shopper.get(order.get_access_url())
    assert "We could not reach the payment gateway, so nothing was charged." in page.text
    retry = shopper.submit(page, "form[action$='/pay/']")
    assert "/sandbox/pay/" in retry.url
    assert order.payments.count() == 2


def test_a_pay_call_whose_answer_was_lost_is_resolved_from_the_status_api(
    shopper: Shopper, tea: Any, settings: Any, shop_url: str
) -> None:
    shopper.add_to_cart("assam", 1)
    with answer_losing_proxy(f"{shop_url}/sandbox/pg", hold_seconds=3) as proxy:
        settings.PHONEPE_BASE_URL = proxy
        settings.PHONEPE_READ_TIMEOUT = 1.0

        page = shopper.checkout()
    settings.PHONEPE_BASE_URL = f"{shop_url}/sandbox/pg"

    assert "Payments are unavailable right now" in page.text
    payment = Payment.objects.get()
    assert payment.state == PaymentState.CREATED
    # The gateway did create it (one order there, not two: the call was not re-sent)
    status = requests.get(f"{shop_url}/sandbox/", timeout=10)
    assert status.text.count(payment.merchant_order_id) >= 1

    # The Celery poller finds it PENDING at the gateway
    wait_for(
        lambda: Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING,
        timeout=30,
        what="the poller to resolve the unknown pay call",
    )
    events = Payment.objects.get(pk=payment.pk).events
    assert events.filter(source="poll", to_state="PENDING").exists()
    # The shopper never saw that attempt's page, so they are offered a fresh one
    page = shopper.get(Order.objects.get().get_access_url())
    assert "We couldn't reach the payment gateway" in page.text
    retry = shopper.submit(page, "form[action$='/pay/']")
    assert "/sandbox/pay/" in retry.url
    new = Payment.objects.exclude(pk=payment.pk).get()
    assert new.merchant_order_id != payment.merchant_order_id
    assert new.merchant_order_id in retry.text
