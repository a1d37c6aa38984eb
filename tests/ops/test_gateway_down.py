"""The gateway down (connection refused) or too slow (no answer before the read timeout): the
shopper is told payments are unavailable, the order and its lines are kept and can be paid
later; never a 500. (tests/functional/test_pay_call_outcome.py and test_gateway_misbehaviour.py
cover the same through a live server, with the poller resolving the unknown attempt.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from payments.models import Order, Payment
from payments.state import OrderStatus, PaymentState
from tests.factories import ProductFactory
from tests.functional.netfaults import silent_server
from tests.ops.services import free_port

pytestmark = pytest.mark.django_db
DETAILS = {
    "full_name": "Asha Rao",
    "email": "asha@example.test",
    "phone": "98765 43210",
    "address_line1": "12 MG Road",
    "city": "Bengaluru",
    "state": "Karnataka",
    "postal_code": "560001",
}


@pytest.fixture(params=["refused", "silent"])
def broken_gateway(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    settings.PHONEPE_CONNECT_TIMEOUT = 1.0
    settings.PHONEPE_READ_TIMEOUT = 1.0
    if request.param == "refused":
        url = f"http://127.0.0.1:{free_port()}"
        settings.PHONEPE_BASE_URL = settings.PHONEPE_AUTH_BASE_URL = url
        yield request.param
    else:
        with silent_server() as url:
            settings.PHONEPE_BASE_URL = settings.PHONEPE_AUTH_BASE_URL = url
            yield request.param


def test_the_shopper_is_told_and_keeps_the_order(client: Client, broken_gateway: str) -> None:
    product = ProductFactory.create(slug="assam", price_paise=44900, stock=5)
    client.post(f"/cart/add/{product.pk}/", {"quantity": 2})
    token = client.get("/checkout/").context["checkout_token"]

    response = client.post("/checkout/", {**DETAILS, "checkout_token": token}, follow=True)

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Payments are unavailable right now. Your order is saved" in text
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.lines.get().quantity == 2
    assert Payment.objects.get().state == PaymentState.CREATED  # outcome unknown, never re-sent
    assert 'action="' + order.get_access_url() + 'pay/"' in response.content.decode()
    assert order.stock_reservations.exists()  # the shelf keeps the units for this order
