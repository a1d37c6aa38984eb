"""The storefront as a browser sees it: constant query counts, CSP, accounts, accessibility."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from payments.state import OrderStatus
from tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_catalogue_pages_use_a_constant_number_of_queries(client: Client) -> None:
    products = [ProductFactory.create() for _ in range(5)]
    client.post(f"/cart/add/{products[0].pk}/", {"quantity": 1})  # a session, a cart
    small_list = queries_for(client, "/")
    small_detail = queries_for(client, f"/products/{products[1].slug}/")

    for _ in range(45):
        ProductFactory.create()

    assert queries_for(client, "/") == small_list
    assert queries_for(client, f"/products/{products[1].slug}/") == small_detail
    assert small_list <= 4
    assert small_detail <= 4


def test_the_catalogue_is_shown_a_page_at_a_time(client: Client, settings: Any) -> None:
    settings.SHOP_PRODUCTS_PER_PAGE = 4
    names = [f"Product {n:02d}" for n in range(10)]
    for name in names:
        ProductFactory.create(name=name)
    ProductFactory.create(name="Product 99 (retired)", is_active=False)

    def names_on(url: str) -> tuple[list[str], str]:
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        shown = [h.get_text(strip=True) for h in soup.select(".product-card h2")]
        pager = soup.select_one("nav.pager")
        return shown, pager.get_text(" ", strip=True) if pager else ""

    assert names_on("/") == (names[:4], "Page 1 of 3 Next →")
    assert names_on("/?page=2") == (names[4:8], "← Previous Page 2 of 3 Next →")
    assert names_on("/?page=3") == (names[8:], "← Previous Page 3 of 3")
    # A page that does not exist shows the nearest one, never an error.
    assert names_on("/?page=99")[0] == names[8:]
    assert names_on("/?page=nonsense")[0] == names[:4]
    # Every page costs the same number of queries.
    assert queries_for(client, "/?page=3") == queries_for(client, "/")


def test_pages_carry_a_nonce_based_content_security_policy(client: Client) -> None:
    product = ProductFactory.create()
    response = client.get(f"/products/{product.slug}/")

    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"].startswith("'self'")
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"


def test_the_payment_step_allows_the_gateway_script_by_nonce(client: Client) -> None:
    order = OrderFactory.create()

    response = client.get(f"{order.get_access_url()}pay/")

    soup = BeautifulSoup(response.content, "html.parser")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    scripts = soup.select("script")
    assert scripts
    assert all(s.get("nonce") == nonce for s in scripts)
    assert any(str(s.get("src") or "").endswith("/checkout.js") for s in scripts)
    assert not [s for s in scripts if s.string and s.string.strip()]  # nothing inline


def test_every_image_has_alt_text_and_every_field_a_label(client: Client) -> None:
    product = ProductFactory.create(image_alt="A tin of tea")
    client.post(f"/cart/add/{product.pk}/", {"quantity": 1})

    for url in (
        "/",
        f"/products/{product.slug}/",
        "/cart/",
        "/checkout/",
        "/account/login/",
        "/account/signup/",
    ):
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        for image in soup.select("img"):
            assert image.get("alt"), f"{url}: an image without alt text"
        for field in soup.select("input:not([type=hidden]), select, textarea"):
            field_id = field.get("id")
            assert field_id, f"{url}: {field} has no id"
            assert soup.select_one(f'label[for="{field_id}"]') is not None, (
                f"{url}: {field} has no label"
            )


def test_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_signing_up_signs_in_and_the_account_sees_only_its_own_orders(client: Client) -> None:
    response = client.post(
        "/account/signup/",
        {
            "full_name": "Asha Rao",
            "email": "Asha@Example.test",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="asha@example.test")
    mine = OrderFactory.create(customer=user, status=OrderStatus.PAID)
    theirs = OrderFactory.create(customer=User.objects.create_user("other@example.test"))
    guest = OrderFactory.create()

    page = client.get("/account/orders/").content.decode()

    assert mine.number in page
    assert theirs.number not in page
    assert guest.number not in page


def test_a_duplicate_signup_is_refused_with_a_message(client: Client) -> None:
    User.objects.create_user("asha@example.test", "asha@example.test", "x")
    response = client.post(
        "/account/signup/",
        {
            "full_name": "Asha",
            "email": "asha@example.test",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )
    assert "An account with this email already exists" in response.content.decode()


def test_order_history_needs_a_sign_in(client: Client) -> None:
    response = client.get("/account/orders/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login/")


def test_checkout_remembers_a_signed_in_customer(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = User.objects.create_user(
        "asha@example.test", "asha@example.test", "pw", first_name="Asha Rao"
    )
    OrderFactory.create(customer=user, phone="9876500000", city="Mysuru", postal_code="570001")
    client.force_login(user)
    product = ProductFactory.create()
    client.post(f"/cart/add/{product.pk}/", {"quantity": 1})

    soup = BeautifulSoup(client.get("/checkout/").content, "html.parser")

    assert soup.select_one("#id_email")["value"] == "asha@example.test"  # type: ignore[index]
    assert soup.select_one("#id_phone")["value"] == "9876500000"  # type: ignore[index]
    assert soup.select_one("#id_city")["value"] == "Mysuru"  # type: ignore[index]
