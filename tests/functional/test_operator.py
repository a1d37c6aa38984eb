"""What an operator sees and does in Django admin, over the live server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Order, Payment
from payments.state import OrderStatus, PaymentState
from tests.factories import OrderFactory, ProductFactory
from tests.functional.sandbox_control import SandboxControl
from tests.functional.shopper import Shopper

pytestmark = pytest.mark.functional


@pytest.fixture
def stuck_payment(shopper: Shopper, shop_url: str) -> Payment:
    """Paid at the gateway, but the webhook was lost and the poller has not come round yet."""
    ProductFactory.create(slug="assam", price_paise=44900, stock=5)
    shopper.add_to_cart("assam", 1)
    page = shopper.checkout()
    payment = Payment.objects.get()
    control = SandboxControl(shop_url)
    control.order_chaos(payment.merchant_order_id, {"webhook": {"mode": "drop"}})
    shopper.pay_on_gateway(page, "upi", vpa="pending@ybl")
    Payment.objects.filter(pk=payment.pk).update(next_check_at=timezone.now() + timedelta(hours=1))
    control.complete(payment.merchant_order_id, paymentMode="UPI_COLLECT")
    return payment


def test_an_operator_sees_the_order_its_lines_payments_and_events(
    operator: Shopper, stuck_payment: Payment
) -> None:
    order = Order.objects.get()

    listing = operator.get(f"/admin/payments/order/?q={stuck_payment.merchant_order_id}")
    assert order.number in listing.text
    assert "Awaiting payment" in listing.text
    page = operator.get(f"/admin/payments/order/{order.pk}/change/")
    line = order.lines.get()
    assert line.product_name in page.text
    assert "₹449.00" in page.text  # the line's unit price
    assert "₹498.00" in page.text  # the total, shipping included
    assert stuck_payment.merchant_order_id in page.text
    payment_page = operator.get(f"/admin/payments/payment/{stuck_payment.pk}/change/")
    assert "Checkout (pay call)" in payment_page.text
    assert "Gateway order" in payment_page.text


def test_re_verify_now_applies_the_gateway_answer_and_records_who_asked(
    operator: Shopper, stuck_payment: Payment
) -> None:
    changelist = operator.get("/admin/payments/payment/")

    done = operator.submit(
        changelist,
        "#changelist-form",
        {"action": "reverify_now", "_selected_action": str(stuck_payment.pk), "index": "0"},
    )

    assert f"{stuck_payment.merchant_order_id} is now Completed." in done.text
    payment = Payment.objects.get(pk=stuck_payment.pk)
    assert payment.state == PaymentState.COMPLETED
    event = payment.events.get(to_state=PaymentState.COMPLETED)
    assert (event.source, event.actor) == ("admin", "ops")
    assert Order.objects.get().status == OrderStatus.PAID


def test_needs_attention_orders_are_found_and_explained_in_admin(operator: Shopper) -> None:
    order = OrderFactory.create(
        number="LL-ATTN-00001",
        status=OrderStatus.NEEDS_ATTENTION,
        attention_reason="Payment X completed after the order was expired: fulfil or refund.",
    )

    listing = operator.get("/admin/payments/order/?status__exact=NEEDS_ATTENTION")
    page = operator.get(f"/admin/payments/order/{order.pk}/change/")

    assert order.number in listing.text
    assert "completed after the order was expired: fulfil or refund." in page.text
