"""Refunds from admin, sent by the worker to the sandbox over real HTTP, followed to the end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from payments.models import Order, Refund, WebhookEvent
from payments.roles import ensure_roles
from payments.state import OrderStatus, RefundState
from tests.factories import ProductFactory
from tests.functional.sandbox_control import SandboxControl
from tests.functional.shopper import DETAILS, Page, Shopper
from tests.live import Mailbox, wait_for

pytestmark = pytest.mark.functional


def sign_in(shop_url: str, username: str) -> Shopper:
    browser = Shopper(shop_url)
    login = browser.get("/admin/login/?next=/admin/")
    page = browser.submit(login, "#login-form", {"username": username, "password": "pw-12345678"})
    assert page.path == "/admin/", page.text[:200]
    return browser


@pytest.fixture
def finance(shop_url: str) -> Iterator[Shopper]:
    ensure_roles()
    user = User.objects.create_user("fin", password="pw-12345678", is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    browser = sign_in(shop_url, "fin")
    yield browser
    browser.close()


@pytest.fixture
def paid_order(shopper: Shopper, shop_url: str) -> Order:
    ProductFactory.create(slug="assam", name="Assam Tea", price_paise=44900, stock=5)
    shopper.add_to_cart("assam", 2)
    shopper.pay_on_gateway(shopper.checkout(), "upi", vpa="success@ybl")
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert order.total_paise == 94700
    return order


def refund_page(operator: Shopper, order: Order) -> Page:
    return operator.get(f"/admin/payments/order/{order.pk}/refund/")


def ask_refund(operator: Shopper, order: Order, **fields: str) -> Page:
    return operator.submit(refund_page(operator, order), "#content-main form", fields)


def settled(merchant_refund_id: str) -> bool:
    return Refund.objects.get(merchant_refund_id=merchant_refund_id).state in (
        RefundState.COMPLETED,
        RefundState.FAILED,
    )


def refund_emails(mailbox: Mailbox, order: Order) -> list[Any]:
    return mailbox.to(DETAILS["email"], f"refund for order {order.number}")


def test_two_partial_refunds_then_the_rest(
    finance: Shopper, paid_order: Order, mailbox: Mailbox
) -> None:
    line = paid_order.lines.get()

    # One of the two teas, by line
    page = ask_refund(finance, paid_order, **{f"line_{line.pk}": "1", "reason": "Arrived damaged"})
    assert "of ₹449.00 requested" in page.text
    first = Refund.objects.get()
    wait_for(lambda: settled(first.merchant_refund_id), timeout=60, what="the first refund")
    assert Refund.objects.get(pk=first.pk).state == RefundState.COMPLETED
    assert Order.objects.get().status == OrderStatus.PARTIALLY_REFUNDED

    # A goodwill amount
    ask_refund(finance, paid_order, amount_rupees="100.00", reason="Late delivery")
    second = Refund.objects.exclude(pk=first.pk).get()
    wait_for(lambda: settled(second.merchant_refund_id), timeout=60, what="the second refund")

    # The form now offers only what is left: ₹947 - ₹449 - ₹100 = ₹398
    assert "₹398.00 refundable" in refund_page(finance, paid_order).text
    ask_refund(finance, paid_order, amount_rupees="398.00", reason="Order returned")
    third = Refund.objects.exclude(pk__in=[first.pk, second.pk]).get()
    wait_for(lambda: settled(third.merchant_refund_id), timeout=60, what="the last refund")

    order = Order.objects.get()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_paise == 94700
    assert order.payments.get().refunded_paise == 94700
    wait_for(lambda: len(refund_emails(mailbox, order)) == 3, what="three refund emails")
    page = finance.get(f"/admin/payments/order/{order.pk}/change/")
    assert "Refunded" in page.text
    assert ">Refund<" not in page.response.text  # nothing left to refund


def test_asking_for_more_than_was_paid_is_refused_and_changes_nothing(
    finance: Shopper, paid_order: Order
) -> None:
    page = ask_refund(finance, paid_order, amount_rupees="2000.00", reason="Typo")

    assert "Only ₹947.00 of payment" in page.text
    assert not Refund.objects.exists()
    assert Order.objects.get().status == OrderStatus.PAID


def test_two_operators_refunding_the_last_rupees_at_once_get_one_refund(
    finance: Shopper, paid_order: Order, shop_url: str
) -> None:
    User.objects.create_user("fin2", password="pw-12345678", is_staff=True).groups.add(
        Group.objects.get(name="finance")
    )
    other = sign_in(shop_url, "fin2")
    forms = [refund_page(finance, paid_order), refund_page(other, paid_order)]
    barrier = threading.Barrier(2)
    pages: list[Page] = []

    def press(operator: Shopper, form: Page) -> None:
        barrier.wait(timeout=10)
        pages.append(
            operator.submit(
                form, "#content-main form", {"amount_rupees": "947.00", "reason": "Cancel"}
            )
        )

    threads = [
        threading.Thread(target=press, args=pair)
        for pair in zip([finance, other], forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Refund.objects.count() == 1
    texts = " | ".join(p.text for p in pages)
    assert "of ₹947.00 requested" in texts
    assert "Only ₹0.00 of payment" in texts
    assert Order.objects.get().payments.get().refunded_paise == 94700


def test_duplicated_refund_webhooks_complete_the_refund_once(
    finance: Shopper, paid_order: Order, mailbox: Mailbox, shop_url: str
) -> None:
    payment = paid_order.payments.get()
    SandboxControl(shop_url).order_chaos(
        payment.merchant_order_id, {"webhook": {"mode": "duplicate", "times": 3}}
    )

    ask_refund(finance, paid_order, amount_rupees="200.00", reason="Price match")

    refund = Refund.objects.get()
    wait_for(
        lambda: WebhookEvent.objects.filter(
            merchant_refund_id=refund.merchant_refund_id,
            event="pg.refund.completed",
            duplicate_count=2,
        ).exists(),
        timeout=60,
        what="three copies of the completed webhook",
    )
    wait_for(lambda: settled(refund.merchant_refund_id), timeout=60, what="the refund")
    completions = paid_order.events.filter(message__contains="-> completed")
    assert completions.count() == 1
    wait_for(lambda: refund_emails(mailbox, paid_order), what="the refund email")
    assert len(refund_emails(mailbox, paid_order)) == 1


def test_a_refund_that_fails_at_the_gateway_can_be_retried(
    finance: Shopper, paid_order: Order, mailbox: Mailbox, shop_url: str
) -> None:
    payment = paid_order.payments.get()
    SandboxControl(shop_url).order_chaos(
        payment.merchant_order_id, {"refund": {"failTimes": 1, "errorCode": "UPI_BACKBONE_ERROR"}}
    )
    ask_refund(finance, paid_order, amount_rupees="300.00", reason="Wrong colour")
    failed = Refund.objects.get()

    wait_for(lambda: settled(failed.merchant_refund_id), timeout=60, what="the refund to fail")

    failed.refresh_from_db()
    assert (failed.state, failed.error_code) == (RefundState.FAILED, "UPI_BACKBONE_ERROR")
    assert Order.objects.get().payments.get().refunded_paise == 0  # the reservation is given back
    assert Order.objects.get().status == OrderStatus.PAID
    timeline = finance.get(f"/admin/payments/order/{paid_order.pk}/change/").text
    assert "-> failed (UPI_BACKBONE_ERROR)" in timeline  # from pending or confirmed

    # The operator retries it from the refunds list: a new refund, a new merchant refund id
    changelist = finance.get("/admin/payments/refund/")
    done = finance.submit(
        changelist,
        "#changelist-form",
        {"action": "retry_failed", "_selected_action": str(failed.pk), "index": "0"},
    )
    retry = Refund.objects.exclude(pk=failed.pk).get()
    assert f"retried as {retry.merchant_refund_id}" in done.text
    assert retry.retry_of_id == failed.pk
    wait_for(lambda: settled(retry.merchant_refund_id), timeout=60, what="the retry")
    assert Refund.objects.get(pk=retry.pk).state == RefundState.COMPLETED
    assert Order.objects.get().status == OrderStatus.PARTIALLY_REFUNDED
    wait_for(lambda: refund_emails(mailbox, paid_order), what="the refund email")
    assert len(refund_emails(mailbox, paid_order)) == 1  # none for the failed one
