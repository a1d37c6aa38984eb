"""Admin (and the operations pages under it) only for staff: every admin URL, for a visitor and
for a signed-in customer, ends at the admin sign-in page and shows nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from payments.models import Order

pytestmark = pytest.mark.django_db
# Reachable without signing in by design: the sign-in page itself and the sign-out action.
PUBLIC = {"admin/login/", "admin/logout/"}


def admin_paths(order: Order) -> Iterator[str]:
    """Every admin URL pattern, its parameters filled with a real order's id."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for entry in patterns:
            route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield route

    top = [p for p in get_resolver().url_patterns if str(p.pattern).startswith("admin/")]
    for route in walk(top, ""):
        path = re.sub(r"<(?:\w+:)?\w+>", str(order.pk), route)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", str(order.pk), path)
        if "(" in path or "\\" in path or path in PUBLIC:
            continue  # a catch-all pattern (the admin's "unknown page"): covered by its siblings
        yield "/" + path


def test_there_are_many_admin_pages_to_check(order: Order) -> None:
    assert len(list(admin_paths(order))) > 50


@pytest.mark.parametrize("who", ["visitor", "customer"])
def test_admin_pages_are_only_for_staff(
    client: Client, order: Order, customer: Any, who: str
) -> None:
    if who == "customer":
        client.force_login(customer)
    shown = []
    for path in admin_paths(order):
        response = client.get(path)
        if response.status_code == 200 or (
            response.status_code == 302 and "/admin/login/" not in response.headers["Location"]
        ):
            shown.append((path, response.status_code))
        body = response.content.decode(errors="replace")
        assert order.email not in body, path
    assert shown == []


def test_a_customer_cannot_sign_in_to_admin(client: Client, customer: Any) -> None:
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "asha@example.test", "password": "customer-password-1"},
    )

    assert response.status_code == 200
    assert "correct username and password for a staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_staff_see_the_admin(client: Client, staff_user: Any) -> None:
    client.force_login(staff_user)

    assert client.get("/admin/").status_code == 200
