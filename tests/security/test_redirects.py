"""No open redirects: the payment return, `next=` on every sign-in form, and the return URL we
hand to the gateway (built from the Host header, which Django checks against ALLOWED_HOSTS)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.test import Client

from payments.models import Order
from tests.security.conftest import CHECKOUT, shopper_at_checkout

pytestmark = pytest.mark.django_db
HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
]


def assert_stays_here(response: Any) -> None:
    """Where a browser would go: resolved against the page, as browsers do (they also treat a
    backslash like a slash, so the check is made with slashes)."""
    location = response.headers.get("Location", "")
    resolved = urlsplit(urljoin(f"http://testserver{response.request['PATH_INFO']}", location))
    assert resolved.scheme == "http", location
    assert resolved.netloc == "testserver", location
    assert urlsplit(location.replace("\\", "/").strip()).netloc in ("", "testserver"), location


@pytest.mark.parametrize("target", HOSTILE)
def test_the_payment_return_ignores_next(
    client: Client, order: Order, target: str, gateway_down: None
) -> None:
    payment = order.payments.get()

    response = client.get(f"/payments/return/{payment.merchant_order_id}/", {"next": target})

    assert response.status_code in (200, 302)
    assert_stays_here(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_the_payment_return_path_cannot_point_elsewhere(client: Client, target: str) -> None:
    response = client.get(f"/payments/return/{quote(target, safe='')}/")

    assert response.status_code == 404
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", HOSTILE)
@pytest.mark.parametrize(
    ("login_url", "username", "password"),
    [
        ("/admin/login/", "ops", "ops-password-1"),
        ("/account/login/", "asha@example.test", "customer-password-1"),
    ],
)
def test_signing_in_never_follows_a_foreign_next(
    client: Client,
    staff_user: Any,
    customer: Any,
    target: str,
    login_url: str,
    username: str,
    password: str,
) -> None:
    response = client.post(
        f"{login_url}?next={quote(target, safe='')}",
        {"username": username, "password": password, "next": target},
    )

    assert response.status_code == 302, response.content[:300]
    assert_stays_here(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_up_never_follows_a_foreign_next(client: Client, target: str) -> None:
    response = client.post(
        "/account/signup/",
        {
            "full_name": "Asha Rao",
            "email": "new.customer@example.test",
            "password1": "a-Long-passphrase-2026",
            "password2": "a-Long-passphrase-2026",
            "next": target,
        },
    )

    assert response.status_code == 302, response.content[:300]
    assert_stays_here(response)


def test_a_foreign_host_header_cannot_become_the_gateways_return_url(
    client: Client, product: Any, gateway_down: None
) -> None:
    token = shopper_at_checkout(client, product)

    response = client.post(
        "/checkout/", {**CHECKOUT, "checkout_token": token}, headers={"Host": "evil.example"}
    )

    assert response.status_code == 400  # DisallowedHost
    assert Order.objects.count() == 0
