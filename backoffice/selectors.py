"""Reads about settlements: a payment's status, an order's summary, a date range's overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from backoffice import conf
from backoffice.dates import day_range, local_date, local_today
from backoffice.models import SettlementLine
from backoffice.settlement_rules import (
    SEVERITY,
    FeeRule,
    LineFacts,
    SettlementOutcome,
    SettlementStatus,
    settlement_status,
)
from backoffice.settlements import current_fee_rule
from payments.models import Order, Payment
from payments.state import PaymentState


@dataclass(frozen=True)
class PaymentSettlement:
    payment: Payment
    paid_amount_paise: int
    outcome: SettlementOutcome
    expected_fee_paise: int
    expected_tax_on_fee_paise: int
    expected_net_paise: int


def _facts(line: SettlementLine) -> LineFacts:
    return LineFacts(
        amount_paise=line.amount_paise,
        fee_paise=line.fee_paise,
        tax_on_fee_paise=line.tax_on_fee_paise,
        net_paise=line.net_paise,
        settlement_date=line.settlement_date,
        utr=line.utr,
    )


def _payment_lines() -> Prefetch[Any]:
    return Prefetch(
        "settlement_lines",
        queryset=SettlementLine.objects.filter(type=SettlementLine.Type.PAYMENT),
    )


def payments_settlement(
    payments: Iterable[Payment], *, today: date, rule: FeeRule, business_days: int
) -> list[PaymentSettlement]:
    """The settlement status of completed payments (their `settlement_lines` prefetched)."""
    result = []
    for payment in payments:
        paid = payment.paid_amount_paise
        paid = payment.amount_paise if paid is None else paid
        completed_at = payment.completed_at or payment.updated_at
        outcome = settlement_status(
            paid_amount_paise=paid,
            completed_on=local_date(completed_at),
            lines=[_facts(line) for line in payment.settlement_lines.all()],
            today=today,
            rule=rule,
            business_days=business_days,
        )
        result.append(
            PaymentSettlement(
                payment=payment,
                paid_amount_paise=paid,
                outcome=outcome,
                expected_fee_paise=rule.fee_paise(paid),
                expected_tax_on_fee_paise=rule.tax_paise(paid),
                expected_net_paise=rule.net_paise(paid),
            )
        )
    return result


@dataclass(frozen=True)
class SettlementOverview:
    date_from: date
    date_to: date
    rows: list[PaymentSettlement]
    counts: dict[str, int]
    unknown_lines: QuerySet[SettlementLine]

    @property
    def status_counts(self) -> list[tuple[SettlementStatus, int]]:
        return [(status, self.counts[status.value]) for status in SettlementStatus]


def completed_payments(date_from: date, date_to: date) -> QuerySet[Payment]:
    start, end = day_range(date_from, date_to)
    return (
        Payment.objects.filter(
            state=PaymentState.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .select_related("order")
        .prefetch_related(_payment_lines())
        .order_by("completed_at", "id")
    )


def settlement_overview(
    *, date_from: date, date_to: date, now: datetime | None = None
) -> SettlementOverview:
    """Completed payments (completion day in range, India) with their settlement status, plus
    the lines settled in that range that match nothing of ours."""
    rows = payments_settlement(
        completed_payments(date_from, date_to),
        today=local_today(now),
        rule=current_fee_rule(),
        business_days=conf.settlement_days(),
    )
    counter = Counter(row.outcome.status for row in rows)
    unknown = SettlementLine.objects.filter(
        settlement_date__gte=date_from,
        settlement_date__lte=date_to,
        match_status=SettlementLine.Match.UNMATCHED,
    ).order_by("settlement_date", "id")
    return SettlementOverview(
        date_from=date_from,
        date_to=date_to,
        rows=rows,
        counts={status.value: counter.get(status, 0) for status in SettlementStatus},
        unknown_lines=unknown,
    )


def order_settlement(order: Order, *, now: datetime | None = None) -> dict[str, Any]:
    """Where the money of an order's completed payment(s) stands with the gateway's payouts.

    Returns a dict (for the order's admin page and `backoffice/_order_settlement.html`):
    - "status": the status needing most attention across the payments ("settled",
      "mismatched", "not_yet_settled", "missing"), or None without a completed payment;
    - "status_label": its text ("" without a completed payment);
    - "payments": one dict per completed payment, oldest first, with "merchant_order_id",
      "paid_amount_paise", "completed_at", "expected_settlement_date", "settlement_date",
      "utr", "status", "status_label", "problems" (list of text), "fee_paise",
      "tax_on_fee_paise", "net_paise" (from the settlement line; None before it arrives) and
      "expected_fee_paise", "expected_tax_on_fee_paise", "expected_net_paise" (the fee rule);
    - "refunds": the order's refunds seen in settlement files: "merchant_refund_id",
      "amount_paise" (negative, as paid out), "settlement_date", "utr".
    Three queries, whatever the order.
    """
    payments = (
        order.payments.filter(state=PaymentState.COMPLETED)
        .prefetch_related(_payment_lines())
        .order_by("completed_at", "id")
    )
    rows = payments_settlement(
        payments,
        today=local_today(now),
        rule=current_fee_rule(),
        business_days=conf.settlement_days(),
    )
    items = []
    for row in rows:
        line = row.outcome.line
        items.append(
            {
                "merchant_order_id": row.payment.merchant_order_id,
                "paid_amount_paise": row.paid_amount_paise,
                "completed_at": row.payment.completed_at,
                "expected_settlement_date": row.outcome.expected_date,
                "settlement_date": line.settlement_date if line else None,
                "utr": line.utr if line else "",
                "status": row.outcome.status.value,
                "status_label": row.outcome.label,
                "problems": list(row.outcome.problems),
                "fee_paise": line.fee_paise if line else None,
                "tax_on_fee_paise": line.tax_on_fee_paise if line else None,
                "net_paise": line.net_paise if line else None,
                "expected_fee_paise": row.expected_fee_paise,
                "expected_tax_on_fee_paise": row.expected_tax_on_fee_paise,
                "expected_net_paise": row.expected_net_paise,
            }
        )
    worst = max((row.outcome.status for row in rows), key=SEVERITY.__getitem__, default=None)
    refund_lines = SettlementLine.objects.filter(
        refund__order=order, type=SettlementLine.Type.REFUND
    ).order_by("settlement_date", "id")
    return {
        "status": worst.value if worst else None,
        "status_label": worst.label if worst else "",
        "payments": items,
        "refunds": [
            {
                "merchant_refund_id": line.merchant_refund_id,
                "amount_paise": line.amount_paise,
                "settlement_date": line.settlement_date,
                "utr": line.utr,
            }
            for line in refund_lines
        ],
    }
