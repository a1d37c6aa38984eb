"""A shopper and an operator in a real browser (Chromium), against the live shop, the sandbox
gateway over real HTTP and a real Celery worker. Screenshots of failures are kept in
test-artifacts/playwright/."""

from __future__ import annotations

import re

import pytest
import requests
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from payments.models import Order, Payment, Refund
from payments.state import OrderStatus, RefundState
from tests.factories import ProductFactory
from tests.functional.shopper import DETAILS
from tests.live import Mailbox, wait_for

pytestmark = pytest.mark.e2e
THANKS = "Thank you, Asha Rao!"


@pytest.fixture
def tea(shop_url: str) -> None:
    ProductFactory.create(
        name="Assam Breakfast Tea",
        slug="assam",
        price_paise=44900,
        stock=5,
        image_alt="A tin of tea",
    )


def fill_checkout(page: Page, *, mode: str) -> None:
    """From a product page to pressing Pay, as a shopper does it."""
    page.goto("/products/assam/")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Assam Breakfast Tea to your cart.")).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Full name").fill(DETAILS["full_name"])
    page.get_by_label("Email").fill(DETAILS["email"])
    page.get_by_label("Mobile number").fill(DETAILS["phone"])
    page.get_by_label("Address", exact=True).fill(DETAILS["address_line1"])
    page.get_by_label("City").fill(DETAILS["city"])
    page.get_by_label("PIN code").fill(DETAILS["postal_code"])
    page.get_by_label("State").select_option(DETAILS["state"])
    page.get_by_label(
        "Pay here, on this page" if mode == "embedded" else "Pay on PhonePe's page"
    ).check()
    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()


def pay_upi(frame_or_page: Page, vpa: str) -> None:
    frame_or_page.get_by_role("textbox", name="UPI ID").fill(vpa)
    frame_or_page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()


def test_redirect_checkout_succeeds(page: Page, tea: None, mailbox: Mailbox) -> None:
    fill_checkout(page, mode="redirect")

    expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
    expect(page.get_by_text("₹947.00").first).to_be_visible()
    pay_upi(page, "success@ybl")

    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    expect(page.get_by_text("2 × Assam Breakfast Tea")).to_be_visible()
    wait_for(lambda: mailbox.to(DETAILS["email"], Order.objects.get().number), what="the receipt")


def test_redirect_failure_then_retry_then_success(page: Page, tea: None) -> None:
    fill_checkout(page, mode="redirect")
    pay_upi(page, "failure@ybl")
    expect(page.get_by_role("heading", name="Your payment didn't go through")).to_be_visible()
    expect(page.get_by_text("The UPI PIN entered was incorrect.")).to_be_visible()

    page.get_by_role("button", name="Try again").click()
    page.get_by_role("link", name="Card").click()
    page.get_by_label("Card number").fill("4111 1111 1111 1111")
    page.get_by_label("Expiry").fill("12/39")
    page.get_by_label("CVV").fill("123")
    page.get_by_label("Name on card").fill("Asha Rao")
    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()

    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    assert Order.objects.get().payments.count() == 2


def test_a_pending_payment_resolves_while_the_shopper_watches(
    page: Page, tea: None, shop_url: str
) -> None:
    fill_checkout(page, mode="redirect")
    pay_upi(page, "pending@ybl")
    expect(
        page.get_by_role("heading", name="Waiting for your payment to be confirmed")
    ).to_be_visible()

    payment = Payment.objects.get()
    requests.post(
        f"{shop_url}/sandbox/pg/_control/orders/{payment.merchant_order_id}/complete",
        json={"outcome": "SUCCESS", "paymentMode": "UPI_COLLECT"},
        timeout=10,
    ).raise_for_status()

    # Nobody touches the page: it asks our server until the outcome is known, then shows it.
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible(timeout=60_000)


def test_embedded_checkout_succeeds_without_leaving_the_shop(page: Page, tea: None) -> None:
    fill_checkout(page, mode="embedded")
    pay_step = page.url
    frame = page.frame_locator("#phonepe-checkout-iframe")

    pay_upi(frame, "success@ybl")  # type: ignore[arg-type]

    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    assert page.url == pay_step  # shown in place
    expect(page.locator("#phonepe-checkout-iframe")).to_have_count(0)
    assert Order.objects.get().status == OrderStatus.PAID


def test_embedded_checkout_closed_then_paid(page: Page, tea: None) -> None:
    fill_checkout(page, mode="embedded")
    expect(page.locator("#phonepe-checkout-iframe")).to_be_visible()

    page.get_by_role("button", name="Close the payment window").click()

    expect(page.get_by_text("You closed the payment window.")).to_be_visible()
    assert Order.objects.get().is_payable
    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    pay_upi(page.frame_locator("#phonepe-checkout-iframe"), "success@ybl")  # type: ignore[arg-type]
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()


def test_embedded_checkout_cancelled_inside_the_gateway_page_then_paid(
    page: Page, tea: None
) -> None:
    fill_checkout(page, mode="embedded")
    frame = page.frame_locator("#phonepe-checkout-iframe")

    frame.get_by_role("button", name=re.compile("Cancel payment")).click()

    expect(page.get_by_text("You closed the payment window.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    pay_upi(page.frame_locator("#phonepe-checkout-iframe"), "success@ybl")  # type: ignore[arg-type]
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    assert Order.objects.get().payments.count() == 2  # the cancelled attempt, then a new one


def test_a_guest_opens_the_order_link_from_the_receipt(
    page: Page, tea: None, mailbox: Mailbox, browser: object
) -> None:
    fill_checkout(page, mode="redirect")
    pay_upi(page, "success@ybl")
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    order = Order.objects.get()
    receipt = wait_for(lambda: mailbox.to(DETAILS["email"], order.number), what="the receipt")[0]
    link = re.search(r"http://\S+/orders/\S+/", mailbox.text_of(receipt))
    assert link is not None

    other = browser.new_context()  # type: ignore[attr-defined]
    guest = other.new_page()
    guest.goto(link.group(0))
    expect(guest.get_by_role("heading", name=THANKS)).to_be_visible()
    guest.goto(link.group(0).replace(order.number, "LL-000000-AAAAA"))
    expect(guest.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    other.close()


def test_an_operator_refunds_from_admin(page: Page, tea: None, shop_url: str) -> None:
    fill_checkout(page, mode="redirect")
    pay_upi(page, "success@ybl")
    expect(page.get_by_role("heading", name=THANKS)).to_be_visible()
    order = Order.objects.get()
    User.objects.create_superuser("ops", "ops@example.test", "ops-password-1")

    page.goto("/admin/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill("ops-password-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/payments/order/{order.pk}/change/")
    page.get_by_role("link", name="Refund", exact=True).click()
    page.get_by_label("Amount (₹)").fill("100.00")
    page.get_by_label("Reason").fill("Arrived a day late")
    page.get_by_role("button", name="Refund").click()

    expect(page.locator(".messagelist .success")).to_contain_text("of ₹100.00 requested.")
    wait_for(
        lambda: Refund.objects.get().state == RefundState.COMPLETED, timeout=60, what="the refund"
    )
    page.reload()
    expect(page.get_by_text("Partially refunded").first).to_be_visible()
