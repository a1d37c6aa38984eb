"""CSRF: only machine-to-machine endpoints are exempt, and every form a person submits, in the
shop or in admin, carries a token and is refused without one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from payments.models import Order
from payments.state import OrderStatus, PaymentState
from tests.factories import OrderFactory, PaymentFactory
from tests.security.conftest import CHECKOUT, shopper_at_checkout

# Authenticated by other means, or trusting nothing in the request:
ALLOWED_EXEMPT_NAMES = {
    "payments:webhook_phonepe",  # PhonePe's Authorization header, checked in constant time
    "payments:return",  # the gateway sends the browser here; only triggers a status API check
}
ALLOWED_EXEMPT_PREFIX = "sandbox/pg"  # the sandbox's PhonePe-compatible API (development only)


def walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, Any, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from walk(entry.url_patterns, prefix + str(entry.pattern).lstrip("^"), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + str(entry.pattern).lstrip("^"), entry.callback, name


def test_only_the_webhook_the_payment_return_and_the_sandbox_api_are_csrf_exempt() -> None:
    exempt = [
        (route, name)
        for route, callback, name in walk(get_resolver().url_patterns)
        if getattr(callback, "csrf_exempt", False)
    ]

    unexpected = [
        (route, name)
        for route, name in exempt
        if name not in ALLOWED_EXEMPT_NAMES and not route.startswith(ALLOWED_EXEMPT_PREFIX)
    ]
    assert unexpected == []
    assert {name for _, name in exempt} >= ALLOWED_EXEMPT_NAMES


def post_forms(client: Client, path: str) -> list[tuple[str, dict[str, str]]]:
    """(action, fields) of every POST form on a page; asserts each carries a CSRF token."""
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    final = response.redirect_chain[-1][0] if response.redirect_chain else path
    soup = BeautifulSoup(response.content, "html.parser")
    found = []
    for form in soup.select("form"):
        if str(form.get("method", "get")).lower() != "post":
            continue
        action = urljoin(f"http://testserver{final}", str(form.get("action") or final))
        if urlsplit(action).netloc != "testserver":
            continue  # posts to another site (a gateway's page): not ours to protect
        fields = {
            str(i.get("name")): str(i.get("value") or "")
            for i in form.select("input[name], select[name], textarea[name]")
        }
        assert fields.get("csrfmiddlewaretoken"), f"a form on {path} has no CSRF token: {action}"
        del fields["csrfmiddlewaretoken"]
        found.append((urlsplit(action).path, fields))
    return found


def assert_refused_without_token(client: Client, forms: list[tuple[str, dict[str, str]]]) -> None:
    for action, fields in forms:
        response = client.post(action, fields)
        assert response.status_code == 403, (action, response.status_code)


@pytest.mark.django_db
def test_every_shop_form_needs_its_token(
    product: Any, order: Order, customer: Any, gateway_down: None
) -> None:
    browser = Client(enforce_csrf_checks=True)
    helper = Client()  # fills the session (cart) with valid tokens, to reach every page
    shopper_at_checkout(helper, product)
    browser.cookies = helper.cookies

    failed = OrderFactory.create(number="LL-261127-FAILD", status=OrderStatus.PAYMENT_FAILED)
    PaymentFactory.create(order=failed, state=PaymentState.FAILED)
    pages = ["/", f"/products/{product.slug}/", "/cart/", "/checkout/", order.get_access_url()]
    pages.append(failed.get_access_url())  # offers "try again": a form
    pages += ["/account/login/", "/account/signup/"]
    forms = [form for page in pages for form in post_forms(browser, page)]
    browser.force_login(customer)
    forms += post_forms(browser, "/account/orders/")  # sign-out form in the header

    actions = {action for action, _ in forms}
    assert {"/cart/", "/checkout/", "/account/login/", "/account/signup/"} & actions
    assert any(a.startswith("/cart/add/") for a in actions)
    assert any(a.endswith("/pay/") for a in actions)
    assert_refused_without_token(browser, forms)
    assert Order.objects.count() == 2  # nothing was placed


@pytest.mark.django_db
def test_every_admin_form_and_action_needs_its_token(staff_user: Any, order: Order) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    pages = ["/admin/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        pages.append(base)
        if model_admin.has_add_permission(_request(staff_user)):
            pages.append(f"{base}add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")

    forms = [form for page in pages for form in post_forms(browser, page)]

    assert len(forms) >= len(admin.site._registry)  # at least each changelist's action form
    assert_refused_without_token(browser, forms)
    assert Order.objects.get(pk=order.pk).status == order.status


def _request(user: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_the_checkout_refuses_a_cross_site_post(product: Any, gateway_down: None) -> None:
    browser = Client(enforce_csrf_checks=True)
    helper = Client()
    token = shopper_at_checkout(helper, product)
    browser.cookies = helper.cookies

    response = browser.post(
        "/checkout/",
        {**CHECKOUT, "checkout_token": token},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert Order.objects.count() == 0
