"""The gateway misbehaving on purpose (the sandbox's chaos controls), and the shop staying right:
webhooks early, duplicated, reordered or lost; status API errors and slowness; payments that
stay pending past expiry; a success that arrives after the order gave its stock back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from payments.models import Order, Payment, WebhookEvent
from payments.state import OrderStatus, PaymentState
from shop.models import Product
from tests.factories import ProductFactory
from tests.functional.sandbox_control import SandboxControl
from tests.functional.shopper import DETAILS, Page, Shopper
from tests.live import Mailbox, wait_for

pytestmark = pytest.mark.functional


@pytest.fixture
def control(shop_url: str) -> Iterator[SandboxControl]:
    sandbox = SandboxControl(shop_url)
    yield sandbox
    sandbox.clear_global_chaos()


@pytest.fixture
def tea(shop_url: str) -> Product:
    return ProductFactory.create(slug="assam", price_paise=44900, stock=5)


def on_gateway(shopper: Shopper) -> tuple[Page, Payment]:
    shopper.add_to_cart("assam", 1)
    page = shopper.checkout()
    assert "/sandbox/pay/" in page.url, page.text[:300]
    return page, Payment.objects.get()


def completions(payment: Payment) -> list[str]:
    return list(
        payment.events.filter(to_state=PaymentState.COMPLETED).values_list("source", flat=True)
    )


def receipts(mailbox: Mailbox) -> list[Any]:
    return mailbox.to(DETAILS["email"], Order.objects.get().number)


def ledger(payment: Payment) -> Any:
    return WebhookEvent.objects.filter(merchant_order_id=payment.merchant_order_id)


def test_a_webhook_that_arrives_before_the_shopper_returns(
    shopper: Shopper, tea: Product, control: SandboxControl, mailbox: Mailbox
) -> None:
    page, payment = on_gateway(shopper)
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "before_return"}})

    redirect = shopper.pay_on_gateway(page, "upi", vpa="success@ybl", follow=False)

    # The gateway is sending the browser back; the shop already has the webhook
    assert redirect.status == 302
    assert ledger(payment).filter(event="checkout.order.completed").exists()
    result = shopper.get(redirect.response.headers["Location"])
    assert "Thank you, Asha Rao!" in result.text
    wait_for(lambda: ledger(payment).filter(status="PROCESSED").exists(), what="webhook processing")
    payment.refresh_from_db()
    assert completions(payment) in (["webhook"], ["return"])  # whichever applied it, once
    wait_for(lambda: receipts(mailbox), what="the receipt")
    assert len(receipts(mailbox)) == 1


def test_a_webhook_delivered_four_times_is_processed_once(
    shopper: Shopper, tea: Product, control: SandboxControl, mailbox: Mailbox
) -> None:
    page, payment = on_gateway(shopper)
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "duplicate", "times": 4}})

    shopper.pay_on_gateway(page, "upi", vpa="success@ybl")

    wait_for(
        lambda: ledger(payment).filter(duplicate_count=3).exists(),
        what="all four copies to arrive",
    )
    assert ledger(payment).count() == 1
    assert len(completions(payment)) == 1
    wait_for(lambda: receipts(mailbox), what="the receipt")
    assert len(receipts(mailbox)) == 1


def test_webhooks_out_of_order_do_not_move_a_payment_backwards(
    shopper: Shopper, tea: Product, control: SandboxControl
) -> None:
    page, payment = on_gateway(shopper)
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "reorder"}})

    shopper.pay_on_gateway(page, "upi", vpa="success@ybl")

    stale = wait_for(
        lambda: (
            ledger(payment)
            .filter(event="checkout.transaction.attempt.failed", status="PROCESSED")
            .first()
        ),
        what="the stale webhook to be processed",
    )
    assert "still COMPLETED" in stale.result
    assert "The webhook said PENDING; the status API decides." in stale.result
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED
    assert Order.objects.get().status == OrderStatus.PAID


@pytest.mark.parametrize("error_status", [429, 500])
def test_status_api_errors_leave_the_shopper_waiting_until_the_poller_gets_through(
    shopper: Shopper, tea: Product, control: SandboxControl, error_status: int
) -> None:
    page, payment = on_gateway(shopper)
    control.order_chaos(
        payment.merchant_order_id,
        {"webhook": {"mode": "drop"}, "status": {"errorStatus": error_status, "errorTimes": 2}},
    )

    waiting = shopper.pay_on_gateway(page, "upi", vpa="success@ybl")

    # The return could not confirm (the gateway answered an error), so nothing is promised yet
    assert "Waiting for your payment to be confirmed" in waiting.text
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING
    status_url = str(waiting.soup.select_one("#order-result")["data-status-url"])  # type: ignore[index]
    wait_for(
        lambda: shopper.get(status_url).response.json()["final"], timeout=60, what="the poller"
    )
    assert "Thank you, Asha Rao!" in shopper.get(waiting.url).text
    assert completions(Payment.objects.get(pk=payment.pk)) == ["poll"]


def test_a_status_api_slower_than_our_patience_is_asked_again_later(
    shopper: Shopper, tea: Product, control: SandboxControl
) -> None:
    page, payment = on_gateway(shopper)
    rule = {"webhook": {"mode": "drop"}, "status": {"slowSeconds": 3.5}}
    control.order_chaos(payment.merchant_order_id, rule)

    waiting = shopper.pay_on_gateway(page, "upi", vpa="success@ybl")

    assert "Waiting for your payment to be confirmed" in waiting.text
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "drop"}})  # fast again
    wait_for(
        lambda: Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED,
        timeout=60,
        what="the poller",
    )
    assert completions(Payment.objects.get(pk=payment.pk)) == ["poll"]


def test_a_pay_call_answered_with_500_keeps_the_order_and_a_retry_pays(
    shopper: Shopper, tea: Product, control: SandboxControl
) -> None:
    control.global_chaos({"pay": {"errorStatus": 500, "errorTimes": 1}})
    shopper.add_to_cart("assam", 1)

    page = shopper.checkout()

    assert "Payments are unavailable right now. Your order is saved" in page.text
    order = Order.objects.get()
    first = order.payments.get()
    assert first.state == PaymentState.CREATED  # a 5xx says nothing about what happened
    retry = shopper.submit(page, "form[action$='/pay/']")
    paid = shopper.pay_on_gateway(retry, "upi", vpa="success@ybl")
    assert "Thank you, Asha Rao!" in paid.text
    # The poller learns the first attempt never existed at the gateway, and closes it
    wait_for(
        lambda: Payment.objects.get(pk=first.pk).state == PaymentState.FAILED,
        timeout=60,
        what="the unknown pay call to be resolved",
    )
    assert Payment.objects.get(pk=first.pk).error_code == "NOT_CREATED"
    assert Order.objects.get().status == OrderStatus.PAID


def test_pending_until_expiry_gives_the_stock_back_and_a_late_success_needs_attention(
    shopper: Shopper, tea: Product, control: SandboxControl, mailbox: Mailbox
) -> None:
    page, payment = on_gateway(shopper)
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "drop"}})
    waiting = shopper.pay_on_gateway(page, "upi", vpa="pending@ybl")
    assert "Waiting for your payment" in waiting.text
    assert Product.objects.get(pk=tea.pk).stock == 4

    # Time passes: the gateway's order expires, the poller learns it
    control.expire(payment.merchant_order_id)
    status_url = str(waiting.soup.select_one("#order-result")["data-status-url"])  # type: ignore[index]
    wait_for(lambda: shopper.get(status_url).response.json()["final"], timeout=60, what="expiry")
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.EXPIRED
    assert "The payment was not completed in time." in shopper.get(waiting.url).text
    # ... and the order's hold runs out: it expires and its unit goes back on the shelf, once
    Order.objects.update(reserved_until=timezone.now() - timedelta(seconds=1))
    wait_for(lambda: Order.objects.get().status == OrderStatus.EXPIRED, what="the order to expire")
    assert Product.objects.get(pk=tea.pk).stock == 5
    assert "went back on the shelf" in shopper.get(waiting.url).text

    # Then the bank confirms after all: the gateway reports the money taken
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "normal"}})
    control.complete(payment.merchant_order_id, ignoreExpiry=True)

    wait_for(
        lambda: Order.objects.get().status == OrderStatus.NEEDS_ATTENTION,
        what="the late success to be noticed",
    )
    order = Order.objects.get()
    assert "completed after the order was expired and its stock released" in order.attention_reason
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED
    assert Product.objects.get(pk=tea.pk).stock == 5  # released once, not taken again
    assert "We're checking your payment" in shopper.get(waiting.url).text
    assert receipts(mailbox) == []  # no receipt for an order an operator must decide on
