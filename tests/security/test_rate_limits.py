"""Rate limits on checkout submissions and the webhook, and the sign-in lockout (django-axes).
All are off in the test settings; these tests switch them on, with small limits."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from ops.ratelimit import Rate, client_ip
from payments.models import Order, WebhookEvent
from shop.cart import Cart
from tests.ops.services import free_port
from tests.security.conftest import CHECKOUT, shopper_at_checkout
from tests.webhooks import order_webhook, webhook_auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"checkout": "3/m", "webhook": "2/m"}
    cache.clear()
    yield settings
    with suppress(Exception):  # one test points the cache at a Redis that is not there
        cache.clear()


def submit_checkout(client: Client, token: str, **meta: Any) -> Any:
    # Invalid on purpose (no name): counted, but places no order, so the cart stays full
    return client.post("/checkout/", {**CHECKOUT, "full_name": "", "checkout_token": token}, **meta)


def test_limits_are_off_by_default_in_tests(settings: Any) -> None:
    assert settings.RATE_LIMITS_ENABLED is False
    assert settings.AXES_ENABLED is False


def test_checkout_submissions_beyond_the_limit_get_a_friendly_429(
    client: Client, limits: Any, product: Any, gateway_down: None
) -> None:
    token = shopper_at_checkout(client, product)

    answers = [submit_checkout(client, token).status_code for _ in range(3)]
    limited = submit_checkout(client, token)

    assert answers == [200, 200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    text = limited.content.decode()
    assert "Too many attempts in a short time" in text
    assert "your cart is kept" in text
    assert client.get("/checkout/").status_code == 200  # looking is not limited
    assert Cart(client.session).lines()  # the cart is still there
    assert Order.objects.count() == 0


def test_the_checkout_limit_is_per_client_address(
    client: Client, limits: Any, product: Any, gateway_down: None
) -> None:
    token = shopper_at_checkout(client, product)
    for _ in range(3):
        submit_checkout(client, token, REMOTE_ADDR="198.51.100.7")

    assert submit_checkout(client, token, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert submit_checkout(client, token, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_spoofed_forwarded_for_does_not_dodge_the_limit(
    client: Client, limits: Any, product: Any, gateway_down: None
) -> None:
    token = shopper_at_checkout(client, product)
    answers = [
        submit_checkout(client, token, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]

    assert answers[-1] == 429  # TRUSTED_PROXY_COUNT=0: the header is not believed


def test_behind_a_proxy_the_address_it_saw_is_used(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )

    assert client_ip(request) == "198.51.100.7"  # the client cannot choose its entry


def test_webhooks_beyond_the_limit_get_a_json_429_and_nothing_is_stored(
    client: Client, limits: Any
) -> None:
    body = order_webhook("LL-261127-ZZZZZ-P1-0001")
    headers = {"Authorization": webhook_auth()}
    answers = [
        client.post(
            "/payments/webhooks/phonepe/", body, content_type="application/json", headers=headers
        )
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["error"] == "rate_limited"
    assert int(answers[-1]["Retry-After"]) >= 1
    assert WebhookEvent.objects.get().duplicate_count == 1  # the third never got in


def test_a_cache_that_is_down_lets_checkouts_through(
    client: Client, limits: Any, product: Any, gateway_down: None
) -> None:
    limits.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    token = shopper_at_checkout(client, product)

    answers = [submit_checkout(client, token).status_code for _ in range(5)]

    assert answers == [200] * 5


@pytest.mark.parametrize("text", ["10/m", "30/10m", "1000/h", "5/d"])
def test_rates_are_read(text: str) -> None:
    rate = Rate.parse(text)
    assert rate.count > 0
    assert rate.seconds in (60, 600, 3600, 86400)


@pytest.fixture
def lockout(settings: Any) -> Any:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


def sign_in(client: Client, password: str, address: str = "198.51.100.7") -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "ops", "password": password},
        REMOTE_ADDR=address,
    )


def test_admin_sign_in_locks_after_repeated_failures(
    client: Client, lockout: Any, staff_user: Any
) -> None:
    failures = [sign_in(client, f"wrong-{n}").status_code for n in range(3)]
    locked = sign_in(client, "ops-password-1")  # even the right password now

    assert failures[:2] == [200, 200]
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in
    # The real operator elsewhere is not locked out by an attacker's guesses
    elsewhere = Client()
    assert sign_in(elsewhere, "ops-password-1", address="203.0.113.9").status_code == 302


def test_a_successful_sign_in_resets_the_count(
    client: Client, lockout: Any, staff_user: Any
) -> None:
    for n in range(2):
        sign_in(client, f"wrong-{n}")
    assert sign_in(client, "ops-password-1").status_code == 302
    client.logout()

    answers = [sign_in(client, f"again-{n}").status_code for n in range(2)]

    assert answers == [200, 200]  # counting started again


def test_shop_accounts_are_protected_too(client: Client, lockout: Any, customer: Any) -> None:
    for n in range(3):
        client.post("/account/login/", {"username": "asha@example.test", "password": f"x{n}"})

    locked = client.post(
        "/account/login/", {"username": "asha@example.test", "password": "customer-password-1"}
    )

    assert locked.status_code == 429
