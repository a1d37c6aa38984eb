from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from payments.models import Order
from payments.services.receipts import order_send_receipt
from payments.state import OrderStatus
from tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def paid_order() -> Order:
    order = OrderFactory.create(status=OrderStatus.PAID, paid_at=timezone.now())
    PaymentFactory.create(
        order=order, state="COMPLETED", payment_mode="UPI_COLLECT", gateway_transaction_id="OM1"
    )
    return order


def test_receipt_is_sent_once_with_the_order_summary() -> None:
    order = paid_order()

    assert order_send_receipt(order_id=order.pk) is True
    assert order_send_receipt(order_id=order.pk) is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [order.email]
    assert order.number in message.subject
    assert "₹998.00" in message.body
    assert "2 x Line product" in message.body
    assert order.get_access_url() in message.body


def test_no_receipt_for_an_unpaid_order() -> None:
    order = OrderFactory.create()

    assert order_send_receipt(order_id=order.pk) is False
    assert mail.outbox == []


def test_a_failed_send_can_be_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    order = paid_order()

    def broken_send(self: Any, fail_silently: bool = False) -> int:
        raise OSError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with pytest.raises(OSError, match="SMTP server down"):
        order_send_receipt(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).receipt_sent_at is None
    monkeypatch.undo()

    assert order_send_receipt(order_id=order.pk) is True
    assert len(mail.outbox) == 1


def test_a_receipt_whose_task_was_lost_is_owed_then_sent_once() -> None:
    from datetime import timedelta

    from payments.services.receipts import emails_owed

    order = paid_order()
    recent = paid_order()
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=5))

    owed_orders, _ = emails_owed(limit=10)

    assert owed_orders == [order.pk]  # the recent one may still have its task in flight
    assert recent.pk not in owed_orders
    assert order_send_receipt(order_id=order.pk) is True
    assert emails_owed(limit=10)[0] == []
