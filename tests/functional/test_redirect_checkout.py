"""A shopper buys and pays through the sandbox's hosted page (redirect), end to end.

Real path: the shop on a live server, our PhonePe adapter calling the sandbox over HTTP, the
sandbox's hosted page, the return URL asking the status API, a Celery worker (own process) that
polls pending payments and sends the receipt.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from payments.gateways import get_gateway
from payments.models import Order, Payment
from payments.state import OrderStatus, PaymentState
from shop.models import Product
from tests.factories import ProductFactory
from tests.functional.shopper import DETAILS, Shopper
from tests.live import Mailbox, wait_for

pytestmark = pytest.mark.functional


@pytest.fixture
def tea(shop_url: str) -> Product:
    return ProductFactory.create(
        name="Assam Breakfast Tea", slug="assam", sku="TEA-ASM", price_paise=44900, stock=5
    )


def only_order() -> Order:
    orders = list(Order.objects.all())
    assert len(orders) == 1, orders
    return orders[0]


def receipts_for(mailbox: Mailbox, order: Order) -> list[Any]:
    return mailbox.to(DETAILS["email"], order.number)


def test_paying_by_upi_confirms_the_order_and_sends_one_receipt(
    shopper: Shopper, tea: Product, mailbox: Mailbox
) -> None:
    # Given a shopper with two teas in the cart
    cart = shopper.add_to_cart("assam", 2)
    assert "Added Assam Breakfast Tea to your cart" in cart.text
    assert "₹947.00" in cart.text  # 2 x ₹449 + ₹49 shipping

    # When they check out, they land on the gateway's page for the server-computed amount
    pay_page = shopper.checkout()
    order = only_order()
    assert "/sandbox/pay/" in pay_page.url
    assert "Loom & Leaf" in pay_page.text
    assert "₹947.00" in pay_page.text
    assert order.payments.get().merchant_order_id in pay_page.text
    tea.refresh_from_db()
    assert tea.stock == 3  # reserved at placement

    # And pay with the success UPI id
    result = shopper.pay_on_gateway(pay_page, "upi", vpa="success@ybl")

    # Then they are back in the shop, on the thank-you page
    assert result.path == order.get_access_url()
    assert "Thank you, Asha Rao!" in result.text
    assert order.number in result.text
    assert "2 × Assam Breakfast Tea" in result.text
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    payment = order.payments.get()
    assert payment.state == PaymentState.COMPLETED
    assert payment.payment_mode == "UPI_COLLECT"
    assert payment.paid_amount_paise == order.total_paise == 94700
    # The shopper's return and the gateway's webhook race; exactly one of them applied it.
    completed_by = payment.events.filter(to_state="COMPLETED").values_list("source", flat=True)
    assert list(completed_by) in (["return"], ["webhook"])
    # And one receipt arrives, from the worker
    wait_for(lambda: receipts_for(mailbox, order), what="the receipt email")
    receipts = receipts_for(mailbox, order)
    assert len(receipts) == 1
    body = mailbox.text_of(receipts[0])
    assert "Total paid: ₹947.00" in body
    assert order.get_access_url() in body
    # with the GST tax invoice attached, also downloadable from the order page
    invoice_number = order.invoice.number
    assert f"Your GST tax invoice {invoice_number} is attached." in body
    assert mailbox.attachments(receipts[0]) == [
        (f"{invoice_number.replace('/', '-')}.pdf", "application/pdf")
    ]
    pdf = shopper.get(f"{order.get_access_url()}invoice.pdf")
    assert pdf.response.headers["Content-Type"] == "application/pdf"
    assert pdf.response.content.startswith(b"%PDF")


def test_a_failed_payment_can_be_retried_and_then_succeeds(
    shopper: Shopper, tea: Product, mailbox: Mailbox
) -> None:
    shopper.add_to_cart("assam", 1)
    pay_page = shopper.checkout()

    failed = shopper.pay_on_gateway(pay_page, "upi", vpa="failure@ybl")

    assert "Your payment didn't go through" in failed.text
    assert "The UPI PIN entered was incorrect." in failed.text
    order = only_order()
    assert order.status == OrderStatus.PAYMENT_FAILED
    tea.refresh_from_db()
    assert tea.stock == 4  # still held for the retry

    # Try again: a new payment (new merchant order id) for the same order
    second_page = shopper.submit(failed, "form[action$='/pay/']")
    assert "/sandbox/pay/" in second_page.url
    first, second = order.payments.order_by("created_at")
    assert first.merchant_order_id != second.merchant_order_id
    assert second.merchant_order_id in second_page.text

    paid = shopper.pay_on_gateway(
        second_page,
        "card",
        number="4111 1111 1111 1111",
        expiry="12/39",
        cvv="123",
        name="Asha Rao",
    )

    assert "Thank you, Asha Rao!" in paid.text
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert [p.state for p in order.payments.order_by("created_at")] == [
        PaymentState.FAILED,
        PaymentState.COMPLETED,
    ]
    assert order.payments.get(state=PaymentState.COMPLETED).payment_mode == "CARD"
    tea.refresh_from_db()
    assert tea.stock == 4  # one reservation, never taken twice
    wait_for(lambda: receipts_for(mailbox, order), what="the receipt email")
    assert len(receipts_for(mailbox, order)) == 1


def test_a_pending_payment_resolves_while_the_shopper_waits(
    shopper: Shopper, tea: Product, mailbox: Mailbox, shop_url: str
) -> None:
    shopper.add_to_cart("assam", 1)
    pay_page = shopper.checkout()

    pending = shopper.pay_on_gateway(pay_page, "upi", vpa="pending@ybl")

    assert "Waiting for your payment to be confirmed" in pending.text
    status_url = pending.soup.select_one("#order-result")["data-status-url"]  # type: ignore[index]
    assert shopper.get(str(status_url)).response.json()["final"] is False
    order = only_order()
    payment = order.payments.get()
    assert payment.state == PaymentState.PENDING

    # The payer approves in their UPI app: the gateway completes the order, and its webhook is
    # lost, so nobody tells the shop
    dropped = requests.post(
        f"{shop_url}/sandbox/pg/_control/orders/{payment.merchant_order_id}/chaos",
        json={"webhook": {"mode": "drop"}},
        timeout=10,
    )
    assert dropped.status_code == 200, dropped.text
    settled = requests.post(
        f"{shop_url}/sandbox/pg/_control/orders/{payment.merchant_order_id}/complete",
        json={"outcome": "SUCCESS", "paymentMode": "UPI_COLLECT"},
        timeout=10,
    )
    assert settled.status_code == 200, settled.text

    # The page's poll sees the outcome once the Celery poller has asked the status API
    wait_for(
        lambda: shopper.get(str(status_url)).response.json()["final"], timeout=60, what="the poller"
    )
    assert "Thank you, Asha Rao!" in shopper.get(pending.url).text
    payment.refresh_from_db()
    assert payment.state == PaymentState.COMPLETED
    assert payment.events.filter(source="poll", to_state="COMPLETED").exists()
    wait_for(lambda: receipts_for(mailbox, order), what="the receipt email")
    assert len(receipts_for(mailbox, order)) == 1


def test_amounts_posted_by_the_browser_are_ignored(shopper: Shopper, tea: Product) -> None:
    shopper.add_to_cart("assam", 3)

    pay_page = shopper.checkout(
        extra={
            "amount": "100",
            "total_paise": "100",
            "price_paise": "1",
            "subtotal_paise": "1",
            "shipping_paise": "0",
        }
    )

    order = only_order()
    assert (order.subtotal_paise, order.shipping_paise, order.total_paise) == (134700, 0, 134700)
    assert "₹1,347.00" in pay_page.text
    # The gateway itself was asked for the server's amount.
    gateway_status = get_gateway().get_order_status(order.payments.get().merchant_order_id)
    assert gateway_status.amount_paise == 134700


def test_cancelling_on_the_gateway_page_offers_a_retry(shopper: Shopper, tea: Product) -> None:
    shopper.add_to_cart("assam", 1)

    cancelled = shopper.cancel_on_gateway(shopper.checkout())

    assert "You cancelled the payment." in cancelled.text
    assert cancelled.soup.select_one("form[action$='/pay/'] button") is not None
    assert only_order().status == OrderStatus.PAYMENT_FAILED


def test_the_last_unit_sold_between_cart_and_pay_is_refused_clearly(
    shopper: Shopper, shop_url: str
) -> None:
    ProductFactory.create(name="Tea Cosy", slug="cosy", sku="COSY", price_paise=79900, stock=1)
    shopper.add_to_cart("cosy", 1)
    Product.objects.filter(sku="COSY").update(stock=0)  # someone else bought it

    page = shopper.checkout()

    assert page.path == "/cart/"
    assert "Sorry, Tea Cosy just sold out." in page.text
    assert not Order.objects.exists()


def test_checkout_errors_are_shown_next_to_their_fields(shopper: Shopper, tea: Product) -> None:
    shopper.add_to_cart("assam", 1)

    page = shopper.checkout({**DETAILS, "phone": "12345", "postal_code": "ABC", "email": "asha@"})

    assert page.path == "/checkout/"
    errors = {e["id"]: " ".join(e.get_text().split()) for e in page.soup.select("p.error")}
    assert errors["id_phone_error"].startswith("Enter a 10-digit Indian mobile number")
    assert errors["id_email_error"] == "Enter a valid email address."
    assert "id_postal_code_error" in errors
    assert not Order.objects.exists()


def test_the_return_url_in_another_browser_shows_no_personal_details(
    shopper: Shopper, tea: Product, shop_url: str
) -> None:
    shopper.add_to_cart("assam", 1)
    shopper.pay_on_gateway(shopper.checkout(), "upi", vpa="success@ybl")
    payment = Payment.objects.get()

    stranger = Shopper(shop_url)
    page = stranger.get(f"/payments/return/{payment.merchant_order_id}/")

    assert page.status == 200
    assert payment.order.number in page.text
    assert "Payment received" in page.text
    assert "Asha" not in page.text
    assert "MG Road" not in page.text
    assert re.search(r"/orders/[^/]+/", page.url) is None


def test_a_shopper_who_left_the_gateway_page_can_come_back_and_pay(
    shopper: Shopper, tea: Product
) -> None:
    shopper.add_to_cart("assam", 1)
    pay_page = shopper.checkout()  # then the shopper closes the tab without paying

    cart = shopper.get("/cart/")
    order = only_order()
    assert f"Order {order.number} (₹498.00) is waiting for payment." in cart.text
    link = cart.soup.select_one(".message-warning a")
    assert link is not None
    order_page = shopper.get(str(link["href"]))
    assert "Your payment isn't finished" in order_page.text

    resumed = shopper.submit(order_page, "form[action$='/pay/']")

    assert resumed.url == pay_page.url  # the same attempt, not a second one
    assert order.payments.count() == 1
    paid = shopper.pay_on_gateway(resumed, "upi", vpa="success@ybl")
    assert "Thank you, Asha Rao!" in paid.text
