"""The daily settlement report: what the gateway pays the merchant, and when (like a dashboard's
settlement export).

Rules (also shown on the /sandbox/settlements/ page):
- One PAYMENT line per COMPLETED payment attempt (the order's successful transaction), dated by
  its completion time; one REFUND line per COMPLETED refund, dated by its completion time.
  Dates are calendar dates in TIME_ZONE (Asia/Kolkata for this project).
- A line settles on the SANDBOX_SETTLEMENT_DAYS-th business day (Mon-Fri; no bank holidays)
  after its transaction date: with T+1, Monday to Thursday settle the next day, Friday, Saturday
  and Sunday the next Monday. With T+0, a weekend transaction settles the next Monday.
- PAYMENT: fee = amount x SANDBOX_FEE_PERCENT / 100 and tax_on_fee = fee x
  SANDBOX_FEE_TAX_PERCENT / 100 (GST), each rounded half up to the paisa (exact decimal
  arithmetic, no floats); net = amount - fee - tax_on_fee.
- REFUND: amount and net are minus the refunded amount; no fee and no tax (the fee of the
  payment is not given back).
- Every line of a settlement date carries the same UTR (one bank transfer a day): 12 digits
  derived from the merchant id and the date, so it is the same on every download.
- A day's total may be negative (refunds above payments); it is reported as is.

Amounts are integer paise everywhere here; only the CSV shows rupees.
"""

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models.functions import TruncDate
from django.utils import timezone

from sandbox import conf
from sandbox.models import AttemptState, RefundState, SandboxAttempt, SandboxRefund
from sandbox.money import format_rupees
from sandbox.services.orders import orders_refresh_due
from sandbox.services.refunds import refunds_advance_due

CSV_HEADER = (
    "transaction_id",
    "merchant_order_id",
    "merchant_refund_id",
    "type",
    "amount",
    "fee",
    "tax_on_fee",
    "net",
    "transaction_date",
    "settlement_date",
    "utr",
)
PAGE_DAYS = 30
LineType = Literal["PAYMENT", "REFUND"]


# --- Arithmetic and calendar ---------------------------------------------------------------


def percent_of(amount_paise: int, percent: Decimal) -> int:
    """`percent`% of an amount in paise, rounded half up to a whole paisa (exact decimals)."""
    exact = Decimal(amount_paise) * percent / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fee_and_tax(amount_paise: int) -> tuple[int, int]:
    """(fee, tax_on_fee) in paise for a payment, with the configured percentages."""
    fee = percent_of(amount_paise, conf.fee_percent())
    return fee, percent_of(fee, conf.fee_tax_percent())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5  # Monday to Friday


def settlement_date(transaction_date: date, days: int | None = None) -> date:
    """The `days`-th business day after `transaction_date` (T+days); for T+0, the first
    business day on or after it."""
    days = conf.settlement_days() if days is None else days
    day = transaction_date
    if days == 0:
        while not is_business_day(day):
            day += timedelta(days=1)
        return day
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def transaction_dates_for(day: date, days: int | None = None) -> list[date]:
    """Every transaction date whose money settles on `day` (contiguous; empty on weekends)."""
    days = conf.settlement_days() if days is None else days
    # N business days never span more than 2N + 7 calendar days (weekends included).
    window = (day - timedelta(days=back) for back in range(2 * days + 8))
    return sorted(candidate for candidate in window if settlement_date(candidate, days) == day)


def utr_for(day: date) -> str:
    """The day's bank reference: 12 digits, no leading zero, fixed per merchant and date."""
    digest = hashlib.sha256(f"{conf.merchant_id()}:{day.isoformat()}".encode()).digest()
    return str(10**11 + int.from_bytes(digest[:8]) % (9 * 10**11))


# --- Lines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    transaction_id: str
    merchant_order_id: str
    merchant_refund_id: str
    type: LineType
    amount: int
    fee: int
    tax_on_fee: int
    net: int
    completed_at: datetime
    transaction_date: date
    settlement_date: date

    def csv_row(self) -> list[str]:
        return [
            self.transaction_id,
            self.merchant_order_id,
            self.merchant_refund_id,
            self.type,
            format_rupees(self.amount),
            format_rupees(self.fee),
            format_rupees(self.tax_on_fee),
            format_rupees(self.net),
            self.transaction_date.isoformat(),
            self.settlement_date.isoformat(),
            utr_for(self.settlement_date),
        ]


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _completed(moment: datetime | None, what: object) -> datetime:
    if moment is None:  # COMPLETED rows always have one; the queries select on it
        raise ValueError(f"{what} has no completion time.")
    return moment


def payment_line(attempt: SandboxAttempt, days: int) -> Line:
    completed_at = _completed(attempt.settled_at, attempt)
    fee, tax = fee_and_tax(attempt.amount_paise)
    on = local_date(completed_at)
    return Line(
        transaction_id=attempt.transaction_id,
        merchant_order_id=attempt.order.merchant_order_id,
        merchant_refund_id="",
        type="PAYMENT",
        amount=attempt.amount_paise,
        fee=fee,
        tax_on_fee=tax,
        net=attempt.amount_paise - fee - tax,
        completed_at=completed_at,
        transaction_date=on,
        settlement_date=settlement_date(on, days),
    )


def refund_line(refund: SandboxRefund, days: int) -> Line:
    completed_at = _completed(refund.finished_at, refund)
    on = local_date(completed_at)
    return Line(
        transaction_id=refund.transaction_id,
        merchant_order_id=refund.order.merchant_order_id,
        merchant_refund_id=refund.merchant_refund_id,
        type="REFUND",
        amount=-refund.amount_paise,
        fee=0,
        tax_on_fee=0,
        net=-refund.amount_paise,
        completed_at=completed_at,
        transaction_date=on,
        settlement_date=settlement_date(on, days),
    )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _lines_between(start: date, end: date, days: int) -> list[Line]:
    """Lines of transactions dated `start` to `end` inclusive, oldest first."""
    since, until = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    attempts = SandboxAttempt.objects.select_related("order").filter(
        state=AttemptState.COMPLETED, settled_at__gte=since, settled_at__lt=until
    )
    refunds = SandboxRefund.objects.select_related("order").filter(
        state=RefundState.COMPLETED, finished_at__gte=since, finished_at__lt=until
    )
    lines = [payment_line(item, days) for item in attempts]
    lines += [refund_line(item, days) for item in refunds]
    return sorted(lines, key=lambda line: (line.completed_at, line.type, line.transaction_id))


def _catch_up() -> None:
    # Changes that are due but nobody has read yet (a slow payment's success, a refund's
    # completion) belong in the report, whether or not the Celery worker has run.
    orders_refresh_due()
    refunds_advance_due()


def lines_for(day: date) -> list[Line]:
    """Everything settled (or to be settled) on `day`, in completion order."""
    days = conf.settlement_days()
    dates = transaction_dates_for(day, days)
    if not dates:
        return []
    _catch_up()
    return _lines_between(dates[0], dates[-1], days)


def csv_for(day: date) -> str:
    """The settlement CSV of `day`: the header, then one row per line (CRLF, like Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(line.csv_row() for line in lines_for(day))
    return out.getvalue()


# --- The list of days -------------------------------------------------------------------------


@dataclass
class Day:
    settlement_date: date
    utr: str
    payments: int = 0
    refunds: int = 0
    amount: int = 0
    fee: int = 0
    tax_on_fee: int = 0
    net: int = 0

    @property
    def upcoming(self) -> bool:
        """Not paid out yet: later transactions may still join it."""
        return self.settlement_date > timezone.localdate(timezone=timezone.get_default_timezone())


def _transaction_dates() -> set[date]:
    zone = timezone.get_default_timezone()
    paid = SandboxAttempt.objects.filter(state=AttemptState.COMPLETED, settled_at__isnull=False)
    refunded = SandboxRefund.objects.filter(state=RefundState.COMPLETED, finished_at__isnull=False)
    dates: set[date] = set()
    for queryset, field in ((paid, "settled_at"), (refunded, "finished_at")):
        found = queryset.annotate(on=TruncDate(field, tzinfo=zone)).values_list("on", flat=True)
        dates.update(found.distinct())
    return dates


def recent_days(limit: int = PAGE_DAYS) -> list[Day]:
    """The latest `limit` settlement dates that have lines (upcoming ones included), newest
    first, with counts and totals."""
    days = conf.settlement_days()
    _catch_up()
    by_settlement: dict[date, list[date]] = defaultdict(list)
    for on in _transaction_dates():
        by_settlement[settlement_date(on, days)].append(on)
    chosen = sorted(by_settlement, reverse=True)[:limit]
    if not chosen:
        return []
    start = min(min(by_settlement[day]) for day in chosen)
    end = max(max(by_settlement[day]) for day in chosen)
    return summarise(_lines_between(start, end, days), chosen)


def summarise(lines: Iterable[Line], settlement_dates: list[date]) -> list[Day]:
    """Totals per settlement date, for the dates asked (newest first)."""
    totals = {day: Day(settlement_date=day, utr=utr_for(day)) for day in settlement_dates}
    for line in lines:
        day = totals.get(line.settlement_date)
        if day is None:
            continue
        if line.type == "PAYMENT":
            day.payments += 1
        else:
            day.refunds += 1
        day.amount += line.amount
        day.fee += line.fee
        day.tax_on_fee += line.tax_on_fee
        day.net += line.net
    return sorted(totals.values(), key=lambda day: day.settlement_date, reverse=True)
