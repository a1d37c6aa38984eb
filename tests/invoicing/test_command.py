"""`manage.py issue_missing_invoices`: documents for orders paid before invoicing existed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from invoicing.models import CreditNote, Invoice
from payments.models import Order
from tests.invoicing.factories import (
    TEA,
    complete_refund,
    order_with,
    paid_before_invoicing,
    pay,
    sample_order,
)

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("issue_missing_invoices", stdout=out)
    return out.getvalue()


def test_paid_orders_without_an_invoice_get_one_oldest_payment_first() -> None:
    newer = paid_before_invoicing(order_with([TEA]))
    older = paid_before_invoicing(order_with([TEA]))
    Order.objects.filter(pk=older.pk).update(paid_at=timezone.now() - timedelta(days=3))
    already = pay(sample_order())
    unpaid = sample_order()

    output = run()

    assert Invoice.objects.get(order=older).sequence == 2
    assert Invoice.objects.get(order=newer).sequence == 3
    assert Invoice.objects.get(order=already).sequence == 1
    assert not Invoice.objects.filter(order=unpaid).exists()
    assert "2 invoice(s), 0 credit note(s) issued." in output


def test_running_it_again_issues_nothing() -> None:
    paid_before_invoicing(order_with([TEA]))
    run()

    output = run()

    assert Invoice.objects.count() == 1
    assert "0 invoice(s), 0 credit note(s) issued." in output


def test_completed_refunds_without_a_credit_note_get_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A refund completed before invoicing existed: its signal reached no receiver.
    monkeypatch.setattr("invoicing.receivers.credit_note_issue", lambda **kwargs: None)
    order = pay(sample_order())
    refund = complete_refund(order, lines=[(TEA, 1)])
    assert not CreditNote.objects.exists()
    monkeypatch.undo()

    output = run()

    assert CreditNote.objects.get().refund == refund
    assert "0 invoice(s), 1 credit note(s) issued." in output
