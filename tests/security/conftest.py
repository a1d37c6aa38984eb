"""Shared setup for the attack tests: a shop with stock, an order, a shopper and an operator."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from payments.models import Order
from tests.factories import OrderFactory, PaymentFactory, ProductFactory
from tests.ops.services import free_port

CHECKOUT = {
    "full_name": "Asha Rao",
    "email": "asha@example.test",
    "phone": "98765 43210",
    "address_line1": "12 MG Road",
    "address_line2": "",
    "city": "Bengaluru",
    "state": "Karnataka",
    "postal_code": "560001",
}


@pytest.fixture
def gateway_down(settings: Any) -> None:
    """The gateway refuses connections at once: a checkout places its order and reports that
    payments are unavailable, without any HTTP leaving the machine (or reaching a `make run`)."""
    dead = f"http://127.0.0.1:{free_port()}"
    settings.PHONEPE_BASE_URL = settings.PHONEPE_AUTH_BASE_URL = dead
    settings.PHONEPE_CONNECT_TIMEOUT = 0.5


@pytest.fixture
def product(db: None) -> Any:
    return ProductFactory.create(slug="assam", price_paise=44900, stock=10_000)


@pytest.fixture
def order(db: None) -> Order:
    order = OrderFactory.create(number="LL-261127-AAAAA")
    PaymentFactory.create(order=order, merchant_order_id="LL-261127-AAAAA-P1-00AA")
    return order


@pytest.fixture
def other_order(db: None) -> Order:
    return OrderFactory.create(number="LL-261127-AAAAB")


@pytest.fixture
def staff_user(db: None) -> Any:
    return get_user_model().objects.create_superuser("ops", "ops@example.test", "ops-password-1")


@pytest.fixture
def customer(db: None) -> Any:
    return get_user_model().objects.create_user(
        "asha@example.test", "asha@example.test", "customer-password-1"
    )


def shopper_at_checkout(client: Client, product: Any) -> str:
    """A cart with one item; returns the checkout page's one-time token."""
    client.post(f"/cart/add/{product.pk}/", {"quantity": 1})
    page = client.get("/checkout/")
    assert page.status_code == 200
    return str(page.context["checkout_token"])
