"""Hostile input in every form and in the webhook parser (hypothesis): never a 500, never a
changed order. Prices and totals a browser posts are ignored (the server computes them)."""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.gateways.base import WebhookError
from payments.gateways.phonepe import PhonePeConfig, PhonePeGateway
from payments.models import Order, Payment
from payments.state import PaymentState
from tests.security.conftest import CHECKOUT, shopper_at_checkout
from tests.webhooks import order_webhook, webhook_auth

pytestmark = pytest.mark.django_db
WITH_DB = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a browser (or a script pretending to be one) can send in a form field.
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "'; DROP TABLE payments_order; --",
            "<script>alert(1)</script>",
            "{{ settings.SECRET_KEY }}",
            "%s%s%s%n",
            "../../../../etc/passwd",
            "\u202e\u0000\ufeff",
            "9" * 5000,
            "-1",
            "1e309",
            "NaN",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def snapshot(order: Order) -> tuple[Any, ...]:
    order.refresh_from_db()
    payments = tuple(order.payments.values_list("state", "amount_paise").order_by("pk"))
    return (order.status, order.total_paise, order.paid_at, payments)


@WITH_DB
@given(field=st.sampled_from(sorted(CHECKOUT)), value=hostile_text)
def test_hostile_checkout_fields(
    client: Client, product: Any, order: Order, gateway_down: None, field: str, value: str
) -> None:
    before = snapshot(order)
    token = shopper_at_checkout(client, product)
    placed = Order.objects.count()

    response = client.post("/checkout/", {**CHECKOUT, field: value, "checkout_token": token})

    assert response.status_code in (200, 302), response.status_code
    assert snapshot(order) == before
    if response.status_code == 200:  # refused with an explanation: nothing placed
        assert Order.objects.count() == placed


@WITH_DB
@given(
    product_id=st.one_of(st.integers(min_value=-(2**70), max_value=2**70), hostile_text),
    quantity=hostile_text,
)
def test_hostile_cart_requests(
    client: Client, product: Any, order: Order, product_id: Any, quantity: str
) -> None:
    before = snapshot(order)
    for action in ("add", "update", "remove"):
        response = client.post(f"/cart/{action}/{product_id}/", {"quantity": quantity})
        assert response.status_code in (302, 404), (action, response.status_code)
        response = client.post(f"/cart/{action}/{product.pk}/", {"quantity": quantity})
        assert response.status_code == 302, (action, response.status_code)
    assert snapshot(order) == before


@WITH_DB
@given(username=hostile_text, password=hostile_text)
def test_hostile_sign_in_and_sign_up(client: Client, username: str, password: str) -> None:
    for path, data in (
        ("/admin/login/", {"username": username, "password": password}),
        ("/account/login/", {"username": username, "password": password}),
        (
            "/account/signup/",
            {"full_name": username, "email": username}
            | {"password1": password, "password2": password},
        ),
    ):
        response = client.post(path, data)
        assert response.status_code in (200, 302), (path, response.status_code)


@WITH_DB
@given(
    body=st.one_of(
        st.binary(max_size=600),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries({"event": st.text(max_size=40), "payload": json_values}).map(
            lambda v: json.dumps(v).encode()
        ),
    )
)
def test_hostile_webhook_bodies_with_valid_credentials(
    client: Client, order: Order, body: bytes
) -> None:
    before = snapshot(order)

    response = client.post(
        "/payments/webhooks/phonepe/",
        data=body,
        content_type="application/json",
        headers={"Authorization": webhook_auth()},
    )

    assert response.status_code in (200, 400, 413, 422), response.status_code
    assert snapshot(order) == before  # the endpoint only stores; the status API decides later


@WITH_DB
@given(
    state=hostile_text,
    amount=json_values,
    merchant_order_id=hostile_text,
)
def test_tampered_webhook_fields_change_nothing_at_receipt(
    client: Client, order: Order, state: str, amount: Any, merchant_order_id: str
) -> None:
    payment = order.payments.get()
    before = snapshot(order)
    for target in (payment.merchant_order_id, merchant_order_id):
        body = json.loads(order_webhook(target, state="COMPLETED"))
        body["payload"].update(state=state, amount=amount)

        response = client.post(
            "/payments/webhooks/phonepe/",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": webhook_auth()},
        )

        assert response.status_code in (200, 400, 422), response.status_code
    assert snapshot(order) == before
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


@settings(max_examples=400, deadline=None, database=None)
@given(body=st.binary(max_size=2000), tail=st.text(max_size=200))
def test_the_webhook_parser_only_ever_raises_its_own_errors(body: bytes, tail: str) -> None:
    gateway = PhonePeGateway(
        PhonePeConfig(
            base_url="https://pg.example",
            auth_base_url="https://pg.example",
            client_id="c",
            client_version="1",
            client_secret="s",
            webhook_username="u",
            webhook_password="p",
        )
    )
    auth = hashlib.sha256(b"u:p").hexdigest()
    for raw in (body, body + tail.encode(), json.dumps({"event": tail, "payload": {}}).encode()):
        with suppress(WebhookError):  # a named 4xx for the endpoint; anything else fails
            gateway.verify_webhook(authorization=auth, raw_body=raw)


def test_prices_and_totals_posted_by_the_browser_are_ignored(
    client: Client, product: Any, gateway_down: None
) -> None:
    token = shopper_at_checkout(client, product)

    client.post(
        "/checkout/",
        {
            **CHECKOUT,
            "checkout_token": token,
            "total_paise": "100",
            "subtotal_paise": "100",
            "price_paise": "1",
            "amount": "1",
            "shipping_paise": "0",
        },
    )

    placed = Order.objects.get()
    assert placed.subtotal_paise == product.price_paise
    assert placed.total_paise == product.price_paise + placed.shipping_paise
    assert placed.total_paise > 100


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 60_000,  # nesting deeper than the JSON parser's recursion limit
        b'{"event": "checkout.order.completed", "payload": {"state": "COMPLETED", '
        b'"merchantOrderId": "LL\\u0000X"}}',  # NUL: PostgreSQL cannot store it
        b"\x00\xff binary \x00",
        json.dumps(
            {
                "event": "checkout.order.completed",
                "payload": {
                    "state": "COMPLETED",
                    "merchantOrderId": "LL-261127-AAAAA-P1-00AA",
                    "paymentDetails": [{"timestamp": "soon"}, {"timestamp": 1}, 7],
                },
            }
        ).encode(),
    ],
    ids=["deep-nesting", "nul-in-id", "binary-with-nul", "mixed-timestamps"],
)
def test_webhook_bodies_found_by_fuzzing_get_a_4xx_or_are_stored(
    client: Client, order: Order, body: bytes
) -> None:
    response = client.post(
        "/payments/webhooks/phonepe/",
        data=body,
        content_type="application/json",
        headers={"Authorization": webhook_auth()},
    )

    assert response.status_code in (200, 400, 422), response.status_code
    assert order.payments.get().state == PaymentState.PENDING
