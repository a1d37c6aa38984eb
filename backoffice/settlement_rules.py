"""Settlement rules as pure functions: the fee rule, the expected date, a payment's status.

No database and no settings here (callers pass them in), so every rule is unit-testable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from backoffice.dates import add_business_days
from payments.money import format_inr

# Rounding can leave the gateway and us one paisa apart on the fee or its tax; not a mismatch.
FEE_TOLERANCE_PAISE = 1


class SettlementStatus(StrEnum):
    SETTLED = "settled"
    MISMATCHED = "mismatched"
    NOT_YET_SETTLED = "not_yet_settled"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SettlementStatus.SETTLED: "Settled",
    SettlementStatus.MISMATCHED: "Mismatched",
    SettlementStatus.NOT_YET_SETTLED: "Not yet settled",
    SettlementStatus.MISSING: "Missing",
}
# For an order with several completed payments, the one needing the most attention speaks.
SEVERITY = {
    SettlementStatus.SETTLED: 0,
    SettlementStatus.NOT_YET_SETTLED: 1,
    SettlementStatus.MISSING: 2,
    SettlementStatus.MISMATCHED: 3,
}


def _percent_of(paise: int, percent: Decimal) -> int:
    return int((Decimal(paise) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class FeeRule:
    """fee = fee_percent of the amount; tax = tax_percent of the fee; each rounded half-up."""

    fee_percent: Decimal
    tax_percent: Decimal

    def fee_paise(self, amount_paise: int) -> int:
        return _percent_of(amount_paise, self.fee_percent)

    def tax_paise(self, amount_paise: int) -> int:
        return _percent_of(self.fee_paise(amount_paise), self.tax_percent)

    def net_paise(self, amount_paise: int) -> int:
        return amount_paise - self.fee_paise(amount_paise) - self.tax_paise(amount_paise)


def expected_settlement_date(completed_on: date, business_days: int) -> date:
    """Completion day (India) + N business days: T+1 from a Friday is the Monday."""
    return add_business_days(completed_on, business_days)


@dataclass(frozen=True)
class LineFacts:
    """What a PAYMENT settlement line says (a plain copy of SettlementLine's columns)."""

    amount_paise: int
    fee_paise: int
    tax_on_fee_paise: int
    net_paise: int
    settlement_date: date
    utr: str = ""


def line_problems(line: LineFacts, *, paid_amount_paise: int, rule: FeeRule) -> list[str]:
    """What differs between a PAYMENT line and our payment (empty: it agrees)."""
    problems = []
    if line.amount_paise != paid_amount_paise:
        problems.append(
            f"amount {format_inr(line.amount_paise)}, paid {format_inr(paid_amount_paise)}"
        )
    # The fee is judged on the amount the line settles, so a wrong amount is reported once,
    # not again as a wrong fee.
    expected_fee = rule.fee_paise(line.amount_paise)
    if abs(line.fee_paise - expected_fee) > FEE_TOLERANCE_PAISE:
        problems.append(f"fee {format_inr(line.fee_paise)}, expected {format_inr(expected_fee)}")
    expected_tax = rule.tax_paise(line.amount_paise)
    if abs(line.tax_on_fee_paise - expected_tax) > FEE_TOLERANCE_PAISE:
        problems.append(
            f"tax on fee {format_inr(line.tax_on_fee_paise)}, expected {format_inr(expected_tax)}"
        )
    return problems


@dataclass(frozen=True)
class SettlementOutcome:
    status: SettlementStatus
    expected_date: date
    line: LineFacts | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.status.label


def settlement_status(
    *,
    paid_amount_paise: int,
    completed_on: date,
    lines: Sequence[LineFacts],
    today: date,
    rule: FeeRule,
    business_days: int,
) -> SettlementOutcome:
    """A completed payment's settlement status.

    - settled: one PAYMENT line, amount equal to the paid amount, fee and tax within 1 paisa of
      the fee rule applied to that amount;
    - mismatched: a line, but amount, fee or tax differ (the problems say which), or more than
      one line for the same payment (the earliest is shown);
    - not yet settled: no line and today is on or before the expected settlement date;
    - missing: no line and the expected date has passed.
    """
    expected = expected_settlement_date(completed_on, business_days)
    if not lines:
        status = SettlementStatus.NOT_YET_SETTLED if today <= expected else SettlementStatus.MISSING
        return SettlementOutcome(status=status, expected_date=expected)
    line = min(lines, key=lambda item: item.settlement_date)
    problems = line_problems(line, paid_amount_paise=paid_amount_paise, rule=rule)
    if len(lines) > 1:
        problems.insert(0, f"paid out {len(lines)} times")
    status = SettlementStatus.MISMATCHED if problems else SettlementStatus.SETTLED
    return SettlementOutcome(
        status=status, expected_date=expected, line=line, problems=tuple(problems)
    )
