"""Who may do what in admin: support views and re-verifies, finance also refunds, superusers
do everything. Through Django's test client, as the operators' browsers would."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from payments.models import Order, OrderEvent, Refund
from payments.roles import ensure_roles
from payments.state import FulfilmentStatus, OrderStatus, PaymentState, RefundState
from tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def staff(role: str | None, username: str | None = None) -> Client:
    ensure_roles()
    user = User.objects.create_user(username or role or "nobody", password="x", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def paid_order() -> Order:
    order = OrderFactory.create(status=OrderStatus.PAID, paid_at=timezone.now())
    PaymentFactory.create(
        order=order, state=PaymentState.COMPLETED, paid_amount_paise=order.total_paise,
        payment_mode="UPI_COLLECT",
    )  # fmt: skip
    return order


def url(order: Order, action: str = "") -> str:
    return f"/admin/payments/order/{order.pk}/{action + '/' if action else 'change/'}"


def test_support_sees_orders_and_may_re_verify_but_not_refund(paid_order: Order) -> None:
    client = staff("support")

    page = client.get(url(paid_order))

    assert page.status_code == 200
    assert paid_order.number in page.content.decode()
    assert "Re-verify payment" in page.content.decode()
    assert ">Refund<" not in page.content.decode()
    assert client.get(url(paid_order, "reverify")).status_code == 200
    assert client.get(url(paid_order, "refund")).status_code == 403
    assert (
        client.post(url(paid_order, "refund"), {"reason": "x", "amount_rupees": "5"}).status_code
        == 403
    )
    assert client.post(url(paid_order, "cancel")).status_code == 403
    assert not Refund.objects.exists()


def test_finance_may_refund(paid_order: Order, django_capture_on_commit_callbacks: Any) -> None:
    client = staff("finance")
    assert ">Refund<" in client.get(url(paid_order)).content.decode()

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            url(paid_order, "refund"),
            {
                "payment": paid_order.payments.get().pk,
                "amount_rupees": "100.00",
                "reason": "Damaged",
            },
        )

    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount_paise, refund.state, refund.requested_by_name) == (
        10000,
        RefundState.REQUESTED,
        "finance",
    )
    assert len(queued) == 1  # the send task
    event = OrderEvent.objects.get(order=paid_order, kind="refund")
    assert event.actor == "finance"
    assert "Damaged" in event.message
    assert client.post(url(paid_order, "ship")).status_code == 403  # not an operations role


def test_a_staff_user_without_a_role_sees_nothing(paid_order: Order) -> None:
    client = staff(None, "intern")
    assert client.get(url(paid_order)).status_code == 403
    assert client.get("/admin/payments/order/").status_code == 403


def test_superusers_run_the_operations(paid_order: Order) -> None:
    admin = User.objects.create_superuser("boss", "boss@example.test", "x")
    client = Client()
    client.force_login(admin)

    client.post(url(paid_order, "fulfil"))
    client.post(url(paid_order, "ship"), {"tracking_reference": "DTDC123"})

    paid_order.refresh_from_db()
    assert paid_order.fulfilment_status == FulfilmentStatus.SHIPPED
    assert paid_order.tracking_reference == "DTDC123"
    actions = list(OrderEvent.objects.filter(order=paid_order).values_list("actor", "message"))
    assert ("boss", "Marked shipped (tracking DTDC123).") in actions
    assert ("boss", "Marked packed, ready to ship.") in actions
    timeline = client.get(url(paid_order)).content.decode()
    assert "Marked shipped (tracking DTDC123)." in timeline


def test_over_refund_is_refused_with_a_message_and_changes_nothing(paid_order: Order) -> None:
    admin = User.objects.create_superuser("boss", "boss@example.test", "x")
    client = Client()
    client.force_login(admin)

    response = client.post(
        url(paid_order, "refund"),
        {"payment": paid_order.payments.get().pk, "amount_rupees": "5000.00", "reason": "Too much"},
        follow=True,
    )

    assert "Only ₹998.00 of payment" in response.content.decode()
    assert not Refund.objects.exists()
    assert paid_order.payments.get().refunded_paise == 0


def test_an_unpaid_order_is_cancelled_and_its_stock_released(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from shop.models import Product, StockReservation
    from tests.factories import ProductFactory

    product = ProductFactory.create(stock=2)
    order = OrderFactory.create(status=OrderStatus.PAYMENT_FAILED)
    StockReservation.objects.create(order=order, product=product, quantity=3)
    admin = User.objects.create_superuser("boss", "boss@example.test", "x")
    client = Client()
    client.force_login(admin)

    client.post(url(order, "cancel"), {"note": "Customer asked"})

    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Product.objects.get(pk=product.pk).stock == 5
    assert OrderEvent.objects.filter(
        order=order, actor="boss", message__contains="Customer asked"
    ).exists()


def test_needs_attention_is_resolved_with_a_note() -> None:
    order = OrderFactory.create(status=OrderStatus.NEEDS_ATTENTION, attention_reason="Paid late.")
    admin = User.objects.create_superuser("boss", "boss@example.test", "x")
    client = Client()
    client.force_login(admin)

    refused = client.post(url(order, "resolve"), {"resolution": "PAID", "note": ""})
    assert refused.status_code == 200  # the form asks for the note
    client.post(url(order, "resolve"), {"resolution": "PAID", "note": "Stock found; shipping it."})

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert OrderEvent.objects.filter(
        order=order, message__contains="Stock found; shipping it."
    ).exists()


def test_order_list_filters_search_and_totals(paid_order: Order) -> None:
    OrderFactory.create(status=OrderStatus.NEEDS_ATTENTION, number="LL-TEST-ATTN")
    client = staff("support")

    attention = client.get("/admin/payments/order/?attention=yes").content.decode()
    by_mode = client.get("/admin/payments/order/?payment_mode=UPI_COLLECT").content.decode()
    by_search = client.get(
        f"/admin/payments/order/?q={paid_order.payments.get().merchant_order_id}"
    ).content.decode()

    assert "LL-TEST-ATTN" in attention
    assert paid_order.number not in attention
    assert paid_order.number in by_mode
    assert "LL-TEST-ATTN" not in by_mode
    assert paid_order.number in by_search
    assert "1 order · total ₹998.00" in by_search
