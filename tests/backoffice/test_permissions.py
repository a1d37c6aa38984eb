"""Who sees what: staff with view_order use the pages; finance (or superuser) reconciles and
uploads; the admin index links to what each may open."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EVERYONE = ["dashboard", "export", "settlements"]
FINANCE = ["reconciliation", "settlement_upload"]
ALL = EVERYONE + FINANCE


def url(name: str) -> str:
    return reverse(f"backoffice:{name}")


@pytest.mark.parametrize("name", ALL)
def test_anonymous_users_are_sent_to_the_admin_login(client: Client, name: str) -> None:
    response = client.get(url(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", ALL)
def test_staff_without_view_order_get_403(staff_without_permissions: User, name: str) -> None:
    client = Client()
    client.force_login(staff_without_permissions)

    assert client.get(url(name)).status_code == 403


def test_a_customer_account_with_the_permission_but_not_staff_goes_to_login(
    support_user: User,
) -> None:
    support_user.is_staff = False
    support_user.save()
    client = Client()
    client.force_login(support_user)

    assert client.get(url("dashboard"))["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", EVERYONE)
def test_support_can_view_the_pages(support_client: Client, name: str) -> None:
    assert support_client.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", FINANCE)
def test_support_cannot_reconcile_or_upload(support_client: Client, name: str) -> None:
    assert support_client.get(url(name)).status_code == 403
    assert support_client.post(url(name), {}).status_code == 403


@pytest.mark.parametrize("name", ALL)
def test_finance_can_open_every_page(finance_client: Client, name: str) -> None:
    assert finance_client.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ALL)
def test_a_superuser_can_open_every_page(superuser_client: Client, name: str) -> None:
    assert superuser_client.get(url(name)).status_code == 200


def operations_links(client: Client) -> list[str] | None:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    # The default index is still there, below the box.
    assert page.select_one("#content-main.app-list") is not None
    box = page.select_one("#backoffice-operations")
    if box is None:
        return None
    caption = box.find("caption")
    assert caption is not None
    assert caption.get_text() == "Operations"
    return [str(link["href"]) for link in box.find_all("a")]


def test_the_admin_index_links_support_to_their_pages(support_client: Client) -> None:
    assert operations_links(support_client) == [url(name) for name in EVERYONE]


def test_the_admin_index_links_finance_to_every_page(finance_client: Client) -> None:
    assert operations_links(finance_client) == [
        url("dashboard"), url("export"), url("settlements"), url("settlement_upload"),
        url("reconciliation"),
    ]  # fmt: skip


def test_the_admin_index_shows_no_box_without_view_order(
    staff_without_permissions: User,
) -> None:
    client = Client()
    client.force_login(staff_without_permissions)

    assert operations_links(client) is None


def test_settlement_reports_are_read_only_in_admin(finance_client: Client) -> None:
    listing = finance_client.get(reverse("admin:backoffice_settlementreport_changelist"))
    lines = finance_client.get(reverse("admin:backoffice_settlementline_changelist"))
    add = finance_client.get(reverse("admin:backoffice_settlementreport_add"))

    assert (listing.status_code, lines.status_code, add.status_code) == (200, 200, 403)
