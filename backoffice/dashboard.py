"""The operations dashboard's numbers, aggregated in the database (a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from backoffice.conf import BUSINESS_TZ
from backoffice.dates import day_range, format_age, local_today
from payments.models import Order, Payment, Refund
from payments.state import OrderStatus, PaymentState, RefundState

CHART_DAYS = 30
LIST_LIMIT = 50
NO_ATTEMPT = "(no attempt)"
# (label, younger than): a pending payment falls in the first bucket it is younger than.
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1 min", timedelta(minutes=1)),
    ("1-5 min", timedelta(minutes=5)),
    ("5-15 min", timedelta(minutes=15)),
    ("15-60 min", timedelta(minutes=60)),
    ("> 1 h", None),
)


@dataclass(frozen=True)
class ModeRate:
    mode: str
    finished: int
    completed: int

    @property
    def percent(self) -> str:
        return f"{100 * self.completed / self.finished:.1f}%" if self.finished else "-"


@dataclass(frozen=True)
class InFlightRefund:
    refund: Refund
    age: str


@dataclass(frozen=True)
class Dashboard:
    today: date
    orders_today: int
    paid_orders_today: int
    revenue_today_paise: int
    refunds_today: int
    refunded_today_paise: int
    revenue_by_day: list[tuple[date, int]]
    success_by_mode: list[ModeRate]
    pending_by_age: list[tuple[str, int]]
    needs_attention: list[Order]
    needs_attention_total: int
    refunds_in_flight: list[InFlightRefund]
    refunds_in_flight_total: int


def _today_totals(start: datetime, end: datetime) -> dict[str, int]:
    created_today = Q(created_at__gte=start, created_at__lt=end)
    paid_today = Q(paid_at__gte=start, paid_at__lt=end)
    totals = Order.objects.filter(created_today | paid_today).aggregate(
        orders=Count("id", filter=created_today),
        paid=Count("id", filter=paid_today),
        revenue=Sum("total_paise", filter=paid_today),
    )
    refunds = Refund.objects.filter(
        state=RefundState.COMPLETED, completed_at__gte=start, completed_at__lt=end
    ).aggregate(count=Count("id"), paise=Sum("amount_paise"))
    return {
        "orders_today": totals["orders"],
        "paid_orders_today": totals["paid"],
        "revenue_today_paise": totals["revenue"] or 0,
        "refunds_today": refunds["count"],
        "refunded_today_paise": refunds["paise"] or 0,
    }


def _revenue_by_day(first: date, last: date) -> list[tuple[date, int]]:
    """Sum of order totals by the Indian day they were paid, every day present (0 if none)."""
    start, end = day_range(first, last)
    rows = (
        Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
        .annotate(day=TruncDate("paid_at", tzinfo=BUSINESS_TZ))
        .values("day")
        .annotate(revenue=Sum("total_paise"))
        .order_by("day")
    )
    by_day = {row["day"]: row["revenue"] or 0 for row in rows}
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [(day, by_day.get(day, 0)) for day in days]


def _success_by_mode(since: datetime, now: datetime) -> list[ModeRate]:
    finished = Q(state__in=PaymentState.terminal())
    rows = (
        Payment.objects.filter(created_at__gte=since, created_at__lte=now)
        .values("payment_mode")
        .annotate(
            finished=Count("id", filter=finished),
            completed=Count("id", filter=Q(state=PaymentState.COMPLETED)),
        )
        .order_by("payment_mode")
    )
    rates = [
        ModeRate(row["payment_mode"] or NO_ATTEMPT, row["finished"], row["completed"])
        for row in rows
        if row["finished"]
    ]
    return sorted(rates, key=lambda rate: (rate.mode == NO_ATTEMPT, rate.mode))


def _pending_by_age(now: datetime) -> list[tuple[str, int]]:
    aggregates = {}
    newer_than: datetime | None = None  # the previous bucket's bound
    for index, (_, younger_than) in enumerate(AGE_BUCKETS):
        condition = Q()
        if younger_than is not None:
            condition &= Q(created_at__gt=now - younger_than)
        if newer_than is not None:
            condition &= Q(created_at__lte=newer_than)
        aggregates[f"bucket_{index}"] = Count("id", filter=condition)
        newer_than = now - younger_than if younger_than is not None else None
    counts = Payment.objects.filter(state__in=PaymentState.live()).aggregate(**aggregates)
    return [(label, counts[f"bucket_{index}"]) for index, (label, _) in enumerate(AGE_BUCKETS)]


def dashboard(*, now: datetime | None = None) -> Dashboard:
    """Today's numbers, the last 30 days and the queues, in nine queries whatever the volume."""
    now = now or timezone.now()
    today = local_today(now)
    first_chart_day = today - timedelta(days=CHART_DAYS - 1)
    attention = Order.objects.filter(status=OrderStatus.NEEDS_ATTENTION)
    in_flight = Refund.objects.filter(state__in=RefundState.open())
    refunds = in_flight.select_related("order").order_by("created_at", "id")[:LIST_LIMIT]
    return Dashboard(
        today=today,
        **_today_totals(*day_range(today, today)),
        revenue_by_day=_revenue_by_day(first_chart_day, today),
        success_by_mode=_success_by_mode(day_range(first_chart_day, today)[0], now),
        pending_by_age=_pending_by_age(now),
        needs_attention=list(attention.order_by("updated_at", "id")[:LIST_LIMIT]),
        needs_attention_total=attention.count(),
        refunds_in_flight=[InFlightRefund(r, format_age(now - r.created_at)) for r in refunds],
        refunds_in_flight_total=in_flight.count(),
    )
