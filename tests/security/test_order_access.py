"""Order pages are reached only through the order's signed link (or the session that placed it):
not by guessing numbers, tampering with a signature or reusing another order's link."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.models import ORDER_ACCESS_SALT, Order

pytestmark = pytest.mark.django_db
PAGES = ["/orders/{}/", "/orders/{}/status.json", "/orders/{}/invoice.pdf"]


def forged_tokens(order: Order, other: Order) -> dict[str, str]:
    number, signature = order.access_token.split(":", 1)
    other_signature = other.access_token.split(":", 1)[1]
    return {
        "bare number": number,
        "empty signature": f"{number}:",
        "flipped signature": f"{number}:{signature[::-1]}",
        "truncated signature": f"{number}:{signature[:-2]}",
        "another order's signature": f"{number}:{other_signature}",
        "next number, own signature": f"{other.number}:{signature}",
        "signed with another salt": signing.Signer(salt="another.purpose").sign(number),
        "signed without a salt": signing.Signer().sign(number),
        "signed with another key": signing.Signer(key="not-our-key", salt=ORDER_ACCESS_SALT).sign(
            number
        ),
    }


def test_the_signed_link_opens_its_own_order(client: Client, order: Order) -> None:
    response = client.get(order.get_access_url())

    assert response.status_code == 200
    assert order.number in response.content.decode()


@pytest.mark.parametrize(
    "kind",
    [
        "bare number",
        "empty signature",
        "flipped signature",
        "truncated signature",
        "another order's signature",
        "next number, own signature",
        "signed with another salt",
        "signed without a salt",
        "signed with another key",
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_forged_links_find_nothing(
    client: Client, order: Order, other_order: Order, kind: str, page: str
) -> None:
    token = forged_tokens(order, other_order)[kind]

    response = client.get(page.format(token))

    assert response.status_code == 404
    body = response.content.decode()
    assert order.number not in body
    assert order.full_name not in body


def test_one_orders_link_never_shows_another_order(
    client: Client, order: Order, other_order: Order
) -> None:
    body = client.get(order.get_access_url()).content.decode()

    assert other_order.number not in body


def test_paying_again_needs_a_valid_link(client: Client, order: Order, other_order: Order) -> None:
    token = forged_tokens(order, other_order)["bare number"]

    response = client.post(f"/orders/{token}/pay/")

    assert response.status_code == 404
    assert order.payments.count() == 1


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(token=st.text(min_size=1, max_size=120).filter(lambda t: "/" not in t and "\x00" not in t))
def test_any_guessed_token_is_a_404_never_a_500(client: Client, order: Order, token: str) -> None:
    response = client.get(f"/orders/{quote(token, safe='')}/status.json")

    assert response.status_code == 404
