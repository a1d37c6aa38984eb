"""The one apply path: forward transitions only, amounts checked, side effects once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from payments.gateways.base import GatewayStatus, GatewayTransaction
from payments.models import Order, Payment, PaymentEvent
from payments.services.orders import order_set_status
from payments.services.payments import (
    orders_release_overdue,
    payment_apply_status,
    payments_claim_due,
)
from payments.state import OrderStatus, PaymentState
from shop.models import StockReservation
from tests.factories import OrderFactory, PaymentFactory, ProductFactory

pytestmark = pytest.mark.django_db
POLL = PaymentEvent.Source.POLL


def observed(
    payment: Payment, state: str, *, amount: int | None = None, detail: str = "", **extra: Any
) -> GatewayStatus:
    amount = payment.amount_paise if amount is None else amount
    return GatewayStatus(
        merchant_order_id=payment.merchant_order_id,
        gateway_order_id=payment.gateway_order_id,
        state=state,
        amount_paise=amount,
        currency=extra.get("currency", "INR"),
        expires_at=payment.expires_at,
        transactions=(
            GatewayTransaction(
                transaction_id="OM-TXN-1",
                payment_mode="UPI_COLLECT",
                state=state,
                amount_paise=amount,
                timestamp=datetime.now(tz=UTC),
                error_code=extra.get("error_code", ""),
                detailed_error_code=detail,
            ),
        ),
        error_code=extra.get("error_code", ""),
        detailed_error_code=detail,
    )


def test_completion_marks_the_order_paid_and_queues_one_receipt(
    django_capture_on_commit_callbacks: Any,
) -> None:
    payment = PaymentFactory.create()

    with django_capture_on_commit_callbacks() as callbacks:
        result = payment_apply_status(
            payment_id=payment.pk, status=observed(payment, "COMPLETED"), source=POLL
        )

    assert result.changed
    payment.refresh_from_db()
    order = Order.objects.get(pk=payment.order_id)
    assert payment.state == PaymentState.COMPLETED
    assert payment.paid_amount_paise == payment.amount_paise
    assert payment.payment_mode == "UPI_COLLECT"
    assert payment.gateway_transaction_id == "OM-TXN-1"
    assert payment.next_check_at is None
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert len(callbacks) == 1  # the receipt task
    event = payment.events.get()
    assert (event.source, event.from_state, event.to_state, event.gateway_state) == (
        POLL, "PENDING", "COMPLETED", "COMPLETED",
    )  # fmt: skip


def test_the_same_observation_twice_changes_nothing_the_second_time(
    django_capture_on_commit_callbacks: Any,
) -> None:
    payment = PaymentFactory.create()
    status = observed(payment, "COMPLETED")

    with django_capture_on_commit_callbacks() as callbacks:
        payment_apply_status(payment_id=payment.pk, status=status, source=POLL)
        second = payment_apply_status(
            payment_id=payment.pk, status=status, source=PaymentEvent.Source.RETURN
        )

    assert not second.changed
    assert len(callbacks) == 1
    assert PaymentEvent.objects.filter(payment=payment).count() == 1


def test_an_older_pending_observation_does_not_undo_a_completion() -> None:
    payment = PaymentFactory.create()
    payment_apply_status(payment_id=payment.pk, status=observed(payment, "COMPLETED"), source=POLL)

    result = payment_apply_status(
        payment_id=payment.pk, status=observed(payment, "PENDING"), source=POLL
    )

    assert not result.changed
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED


def test_failure_lets_the_shopper_retry() -> None:
    payment = PaymentFactory.create()

    payment_apply_status(
        payment_id=payment.pk,
        status=observed(payment, "FAILED", error_code="INSUFFICIENT_BALANCE", detail="Z9"),
        source=POLL,
    )

    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert (payment.error_code, payment.detailed_error_code) == ("INSUFFICIENT_BALANCE", "Z9")
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAYMENT_FAILED


def test_failure_of_one_attempt_keeps_the_order_pending_while_another_is_live() -> None:
    order = OrderFactory.create()
    first = PaymentFactory.create(order=order)
    PaymentFactory.create(order=order)

    payment_apply_status(payment_id=first.pk, status=observed(first, "FAILED"), source=POLL)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_gateway_auto_fail_after_expiry_is_recorded_as_expired() -> None:
    payment = PaymentFactory.create()

    payment_apply_status(
        payment_id=payment.pk,
        status=observed(
            payment, "FAILED", error_code="TXN_NOT_COMPLETED", detail="TXN_AUTO_FAILED"
        ),
        source=POLL,
    )

    assert Payment.objects.get(pk=payment.pk).state == PaymentState.EXPIRED


def test_a_payment_still_pending_long_after_expiry_is_given_up(settings: Any) -> None:
    settings.PAYMENTS_EXPIRY_GRACE_SECONDS = 60
    payment = PaymentFactory.create(expires_at=timezone.now() - timedelta(minutes=5))

    payment_apply_status(payment_id=payment.pk, status=observed(payment, "PENDING"), source=POLL)

    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    assert payment.next_check_at is None
    assert "stopped waiting" in payment.events.get().message


def test_a_different_paid_amount_needs_attention(django_capture_on_commit_callbacks: Any) -> None:
    payment = PaymentFactory.create()

    with django_capture_on_commit_callbacks() as callbacks:
        payment_apply_status(
            payment_id=payment.pk, status=observed(payment, "COMPLETED", amount=100), source=POLL
        )

    order = Order.objects.get(pk=payment.order_id)
    assert order.status == OrderStatus.NEEDS_ATTENTION
    assert "captured ₹1.00 but the order total is ₹998.00" in order.attention_reason
    assert (
        Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED
    )  # the money is recorded
    assert callbacks == []  # no receipt for an order in doubt


def test_a_different_currency_needs_attention() -> None:
    payment = PaymentFactory.create()

    payment_apply_status(
        payment_id=payment.pk, status=observed(payment, "COMPLETED", currency="USD"), source=POLL
    )

    order = Order.objects.get(pk=payment.order_id)
    assert order.status == OrderStatus.NEEDS_ATTENTION
    assert "in USD" in order.attention_reason


def test_a_second_successful_payment_needs_attention() -> None:
    order = OrderFactory.create()
    first, second = PaymentFactory.create(order=order), PaymentFactory.create(order=order)
    payment_apply_status(payment_id=first.pk, status=observed(first, "COMPLETED"), source=POLL)

    payment_apply_status(payment_id=second.pk, status=observed(second, "COMPLETED"), source=POLL)

    order.refresh_from_db()
    assert order.status == OrderStatus.NEEDS_ATTENTION
    assert "second successful payment" in order.attention_reason
    assert Payment.objects.filter(order=order, state=PaymentState.COMPLETED).count() == 2


def test_success_after_the_order_released_its_stock_needs_attention() -> None:
    payment = PaymentFactory.create()
    order = Order.objects.get(pk=payment.order_id)
    order_set_status(order=order, status=OrderStatus.EXPIRED)

    payment_apply_status(payment_id=payment.pk, status=observed(payment, "COMPLETED"), source=POLL)

    order.refresh_from_db()
    assert order.status == OrderStatus.NEEDS_ATTENTION
    assert "after the order was expired" in order.attention_reason


def test_unknown_gateway_states_are_ignored() -> None:
    payment = PaymentFactory.create()

    result = payment_apply_status(
        payment_id=payment.pk, status=observed(payment, "MYSTERY"), source=POLL
    )

    assert not result.changed
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_due_payments_are_claimed_once_per_due_time() -> None:
    due = PaymentFactory.create(next_check_at=timezone.now() - timedelta(seconds=1))
    PaymentFactory.create(next_check_at=timezone.now() + timedelta(minutes=1))
    PaymentFactory.create(state=PaymentState.COMPLETED, next_check_at=None)

    first = payments_claim_due(limit=10)
    second = payments_claim_due(limit=10)

    assert first == [due.pk]
    assert second == []
    next_check_at = Payment.objects.get(pk=due.pk).next_check_at
    assert next_check_at is not None
    assert next_check_at > timezone.now()


def test_checks_the_sweep_could_not_queue_are_handed_back_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kombu.exceptions import OperationalError

    from payments import tasks

    now = timezone.now()
    payments = [
        PaymentFactory.create(next_check_at=now - timedelta(seconds=3 - n)) for n in range(3)
    ]
    queued: list[int] = []

    def publish(payment_id: int) -> None:
        if queued:  # the broker goes away after the first message
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        queued.append(payment_id)

    monkeypatch.setattr(tasks.reverify_payment, "delay", publish)

    with pytest.raises(OperationalError):
        tasks.reverify_due_payments()

    # The queued one keeps its lease; the other two are due again for the next sweep.
    assert queued == [payments[0].pk]
    assert sorted(payments_claim_due(limit=10)) == sorted(p.pk for p in payments[1:])


def test_overdue_unpaid_orders_expire_and_give_stock_back_once() -> None:
    product = ProductFactory.create(stock=3)
    order = OrderFactory.create(reserved_until=timezone.now() - timedelta(seconds=1))
    StockReservation.objects.create(order=order, product=product, quantity=2)
    PaymentFactory.create(order=order, state=PaymentState.FAILED)
    still_payable = OrderFactory.create(reserved_until=timezone.now() - timedelta(seconds=1))
    PaymentFactory.create(order=still_payable)  # a live payment holds the order

    assert orders_release_overdue(limit=10) == 1
    assert orders_release_overdue(limit=10) == 0

    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert order.released_at is not None
    assert product.stock == 5
    assert Order.objects.get(pk=still_payable.pk).status == OrderStatus.PENDING_PAYMENT


def test_a_failed_payment_that_the_gateway_completes_is_recorded_and_pays_the_order() -> None:
    payment = PaymentFactory.create(state=PaymentState.FAILED, error_code="NOT_CREATED")
    order = Order.objects.get(pk=payment.order_id)
    order_set_status(order=order, status=OrderStatus.PAYMENT_FAILED)

    result = payment_apply_status(
        payment_id=payment.pk, status=observed(payment, "COMPLETED"), source=POLL
    )

    assert result.changed
    event = PaymentEvent.objects.get(payment=payment)
    assert "now reports this failed payment as completed" in event.message
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
