"""Factories and builders for the backoffice tests (tests/factories.py is shared, read-only)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import factory
from django.db import models

from backoffice.dates import local_date
from backoffice.money import rupees
from backoffice.settlement_file import HEADER
from payments.models import Payment, Refund
from payments.state import PaymentState, RefundState
from tests.factories import OrderFactory, PaymentFactory

FEE_RULE_DEFAULT = {"fee_percent": "2.0", "tax_percent": "18.0"}


def backdate[M: models.Model](obj: M, **fields: datetime) -> M:
    """Set auto_now/auto_now_add timestamps (which save() would overwrite) on an existing row."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()
    return obj


def completed_payment(*, at: datetime, amount_paise: int = 99800, **kwargs: Any) -> Payment:
    """A completed payment of an order of that amount, created and completed at `at`."""
    order = OrderFactory.create(subtotal_paise=amount_paise, status="PAID", paid_at=at)
    payment = PaymentFactory.create(
        order=order,
        state=PaymentState.COMPLETED,
        paid_amount_paise=amount_paise,
        completed_at=at,
        payment_mode=kwargs.pop("payment_mode", "UPI_INTENT"),
        gateway_transaction_id=kwargs.pop("gateway_transaction_id", f"OM{order.pk:08d}"),
        **kwargs,
    )
    return backdate(payment, created_at=at)


class RefundFactory(factory.django.DjangoModelFactory[Refund]):
    class Meta:
        model = Refund

    payment = factory.SubFactory(
        PaymentFactory, state=PaymentState.COMPLETED, payment_mode="UPI_INTENT"
    )
    order = factory.LazyAttribute(lambda refund: refund.payment.order)
    merchant_refund_id = factory.Sequence(lambda n: f"LL-TEST-R{n:05d}")
    amount_paise = 10000
    reason = "Damaged in transit"
    state = RefundState.PENDING


def expected_fee(amount_paise: int) -> tuple[int, int]:
    """The default rule by hand: 2% of the amount, then 18% of the fee, each rounded half-up."""
    fee = (amount_paise * 2 + 50) // 100
    tax = (fee * 18 + 50) // 100
    return fee, tax


def payment_line(
    payment: Payment,
    *,
    settlement_date: date,
    amount_paise: int | None = None,
    fee_paise: int | None = None,
    tax_paise: int | None = None,
    utr: str = "UTR000000001",
) -> dict[str, str]:
    """A PAYMENT line for `payment`, right by default; override a number to make it wrong."""
    amount = payment.paid_amount_paise if amount_paise is None else amount_paise
    assert amount is not None
    default_fee, default_tax = expected_fee(amount)
    fee = default_fee if fee_paise is None else fee_paise
    tax = default_tax if tax_paise is None else tax_paise
    completed = local_date(payment.completed_at) if payment.completed_at else settlement_date
    return {
        "transaction_id": payment.gateway_transaction_id,
        "merchant_order_id": payment.merchant_order_id,
        "merchant_refund_id": "",
        "type": "PAYMENT",
        "amount": rupees(amount),
        "fee": rupees(fee),
        "tax_on_fee": rupees(tax),
        "net": rupees(amount - fee - tax),
        "transaction_date": completed.isoformat(),
        "settlement_date": settlement_date.isoformat(),
        "utr": utr,
    }


def refund_line(refund: Refund, *, settlement_date: date, utr: str = "UTR000000002") -> dict:
    amount = -refund.amount_paise
    return {
        "transaction_id": f"OMR{refund.pk:08d}",
        "merchant_order_id": refund.payment.merchant_order_id,
        "merchant_refund_id": refund.merchant_refund_id,
        "type": "REFUND",
        "amount": rupees(amount),
        "fee": "0.00",
        "tax_on_fee": "0.00",
        "net": rupees(amount),
        "transaction_date": settlement_date.isoformat(),
        "settlement_date": settlement_date.isoformat(),
        "utr": utr,
    }


def settlement_csv(*lines: dict[str, str], header: tuple[str, ...] = HEADER) -> bytes:
    """A settlement file as the gateway writes it (CSV quoting where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([line[column] for column in header] for line in lines)
    return buffer.getvalue().encode()
