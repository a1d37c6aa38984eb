"""Customers download through the order's signed link; operators through admin, by permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import resolve, reverse

from invoicing import views
from invoicing.panels import order_documents_panel
from payments import views as payments_views
from payments.models import Order
from tests.invoicing.factories import TEA, complete_refund, pay, pdf_text, sample_order

pytestmark = pytest.mark.django_db


def invoice_url(order: Order) -> str:
    return f"/orders/{order.access_token}/invoice.pdf"


def test_the_paths_reach_invoicing_and_leave_the_order_page_to_payments() -> None:
    token = "LL-TEST-00001:abc"

    assert resolve(f"/orders/{token}/invoice.pdf").func == views.invoice_pdf
    assert resolve(f"/orders/{token}/credit-notes/7.pdf").func == views.credit_note_pdf
    assert resolve(f"/orders/{token}/").func == payments_views.order_detail
    assert reverse("invoicing:invoice_pdf", kwargs={"token": token}) == (
        f"/orders/{token}/invoice.pdf"
    )


def test_the_customer_downloads_the_invoice_with_the_order_link(client: Client) -> None:
    order = pay(sample_order())

    response = client.get(invoice_url(order))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = order.invoice.number.replace("/", "-")
    assert response["Content-Disposition"] == f'inline; filename="{filename}.pdf"'
    assert "private" in response["Cache-Control"]
    assert order.invoice.number in pdf_text(response.content)


def test_a_bad_token_finds_nothing(client: Client) -> None:
    order = pay(sample_order())
    forged = order.access_token[:-2] + ("AA" if not order.access_token.endswith("AA") else "BB")

    assert client.get(f"/orders/{forged}/invoice.pdf").status_code == 404
    assert client.get(f"/orders/{order.number}/invoice.pdf").status_code == 404


def test_an_order_without_an_invoice_yet_has_nothing_to_download(client: Client) -> None:
    unpaid = sample_order()

    assert client.get(invoice_url(unpaid)).status_code == 404


def test_a_token_opens_only_its_own_orders_invoice(client: Client) -> None:
    mine = pay(sample_order())
    theirs = pay(sample_order())

    text = pdf_text(client.get(invoice_url(theirs)).content)

    assert theirs.invoice.number in text
    assert mine.invoice.number not in text


def test_the_customer_downloads_a_credit_note_of_their_order_only(client: Client) -> None:
    order = pay(sample_order())
    other = pay(sample_order())
    note = complete_refund(order, lines=[(TEA, 1)]).credit_note

    mine = client.get(f"/orders/{order.access_token}/credit-notes/{note.pk}.pdf")
    theirs = client.get(f"/orders/{other.access_token}/credit-notes/{note.pk}.pdf")
    missing = client.get(f"/orders/{order.access_token}/credit-notes/{note.pk + 1}.pdf")

    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert note.number in pdf_text(mine.content)
    assert theirs.status_code == 404
    assert missing.status_code == 404


def test_downloads_answer_get_only(client: Client) -> None:
    order = pay(sample_order())

    assert client.post(invoice_url(order)).status_code == 405


def staff(username: str, *permissions: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_staff_without_the_permission_cannot_download(client: Client) -> None:
    invoice = pay(sample_order()).invoice
    client.force_login(staff("clerk"))

    response = client.get(reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 403


def test_staff_with_the_view_permission_download_the_pdf(client: Client) -> None:
    invoice = pay(sample_order()).invoice
    client.force_login(staff("clerk", "view_invoice"))

    response = client.get(reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")


def test_the_invoice_permission_does_not_open_credit_notes(client: Client) -> None:
    order = pay(sample_order())
    note = complete_refund(order, lines=[(TEA, 1)]).credit_note
    url = reverse("admin:invoicing_creditnote_pdf", args=[note.pk])

    client.force_login(staff("clerk", "view_invoice"))
    assert client.get(url).status_code == 403

    client.force_login(staff("accountant", "view_creditnote"))
    assert client.get(url).status_code == 200


def test_someone_not_staff_is_sent_to_the_login(client: Client) -> None:
    invoice = pay(sample_order()).invoice
    client.force_login(User.objects.create_user("shopper", password="pw"))

    response = client.get(reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_operators_find_invoices_by_order_number_read_only(admin_client: Client) -> None:
    order = pay(sample_order())
    pay(sample_order())
    invoice = order.invoice

    listing = admin_client.get("/admin/invoicing/invoice/", {"q": order.number})
    detail = admin_client.get(f"/admin/invoicing/invoice/{invoice.pk}/change/")

    assert listing.status_code == 200
    page = listing.content.decode()
    assert invoice.number in page
    assert "1 result" in page
    assert "₹1,499.50" in page
    assert reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]) in page
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.get("/admin/invoicing/invoice/add/").status_code == 403


def test_operators_find_credit_notes_by_number(admin_client: Client) -> None:
    order = pay(sample_order())
    note = complete_refund(order, lines=[(TEA, 1)]).credit_note

    listing = admin_client.get("/admin/invoicing/creditnote/", {"q": note.number})
    detail = admin_client.get(f"/admin/invoicing/creditnote/{note.pk}/change/")

    assert listing.status_code == 200
    assert note.number in listing.content.decode()
    assert order.invoice.number in listing.content.decode()
    assert detail.status_code == 200


def test_the_order_page_panel_lists_the_documents_with_their_links() -> None:
    order = pay(sample_order())
    note = complete_refund(order, lines=[(TEA, 1)]).credit_note

    panel = order_documents_panel(order)

    assert panel is not None
    title, html = panel
    assert title == "Tax documents"
    assert order.invoice.number in html
    assert note.number in html
    assert reverse("admin:invoicing_creditnote_pdf", args=[note.pk]) in html
    assert order_documents_panel(sample_order()) is None
