"""The dashboard: today's numbers in Indian days, 30 days of revenue, rates, queues; few queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.conf import BUSINESS_TZ
from backoffice.dashboard import NO_ATTEMPT, dashboard
from payments.state import OrderStatus, PaymentState, RefundState
from tests.backoffice.factories import RefundFactory, backdate, completed_payment
from tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db

# Friday 27 November 2026, noon in India.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=BUSINESS_TZ)
URL = reverse("backoffice:dashboard")


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BUSINESS_TZ)


def paid_order(*, created: datetime, paid: datetime, total: int) -> None:
    order = OrderFactory.create(subtotal_paise=total, status=OrderStatus.PAID, paid_at=paid)
    backdate(order, created_at=created)


def pending_payment(*, age: timedelta, now: datetime) -> None:
    backdate(PaymentFactory.create(state=PaymentState.PENDING), created_at=now - age)


def seed(now: datetime = NOW) -> None:
    # Today (India): placed and paid today; placed yesterday but paid just after midnight
    # India (still 26 Nov in UTC); placed today and not paid.
    paid_order(created=ist(27, 10), paid=ist(27, 10, 5), total=99800)
    paid_order(created=ist(26, 23, 50), paid=datetime(2026, 11, 26, 19, 0, tzinfo=UTC), total=50000)
    backdate(OrderFactory.create(), created_at=ist(27, 9))
    # Earlier: two days ago, and too long ago for the chart.
    paid_order(created=ist(25, 9), paid=ist(25, 9, 10), total=30000)
    paid_order(
        created=ist(25, 9) - timedelta(days=40), paid=ist(25, 9) - timedelta(days=40), total=7000
    )

    # Payment modes over 30 days: UPI 3 of 4, card 0 of 1, two never attempted; and one
    # completed too long ago to count.
    attempts = [("UPI_INTENT", PaymentState.COMPLETED, 2)] * 3 + [
        ("UPI_INTENT", PaymentState.FAILED, 1),
        ("CARD", PaymentState.FAILED, 1),
        ("", PaymentState.FAILED, 1),
        ("", PaymentState.EXPIRED, 1),
        ("NET_BANKING", PaymentState.COMPLETED, 45),
    ]
    for mode, state, days_ago in attempts:
        payment = PaymentFactory.create(state=state, payment_mode=mode)
        backdate(payment, created_at=now - timedelta(days=days_ago))

    # Pending by age: one in each bucket, two older than an hour.
    for age in (30, 180, 600, 1800, 7200, 9000):
        pending_payment(age=timedelta(seconds=age), now=now)

    OrderFactory.create(status=OrderStatus.NEEDS_ATTENTION, attention_reason="Paid after expiry")
    in_flight = RefundFactory.create(state=RefundState.PENDING, amount_paise=20000)
    backdate(in_flight, created_at=now - timedelta(hours=2, minutes=5))
    done = RefundFactory.create(state=RefundState.COMPLETED, amount_paise=10000)
    done.completed_at = ist(27, 11)
    done.save()


def test_today_counts_orders_placed_and_revenue_paid_in_the_indian_day() -> None:
    seed()

    data = dashboard(now=NOW)

    assert data.today.isoformat() == "2026-11-27"
    assert data.revenue_today_paise == 99800 + 50000
    assert data.paid_orders_today == 2
    assert data.refunds_today == 1
    assert data.refunded_today_paise == 10000


def test_orders_today_counts_only_orders_created_in_the_indian_day() -> None:
    paid_order(created=ist(27, 0, 1), paid=ist(27, 1), total=99800)
    backdate(OrderFactory.create(), created_at=datetime(2026, 11, 26, 18, 29, tzinfo=UTC))
    backdate(OrderFactory.create(), created_at=datetime(2026, 11, 26, 18, 30, tzinfo=UTC))

    data = dashboard(now=NOW)

    # 18:29 UTC on the 26th is 23:59 in India (yesterday); 18:30 UTC is midnight (today).
    assert data.orders_today == 2


def test_revenue_per_day_covers_thirty_days_with_zeros() -> None:
    seed()

    data = dashboard(now=NOW)

    assert len(data.revenue_by_day) == 30
    assert data.revenue_by_day[-1] == (NOW.date(), 149800)
    assert data.revenue_by_day[-3] == (NOW.date() - timedelta(days=2), 30000)
    assert data.revenue_by_day[0][0] == NOW.date() - timedelta(days=29)
    assert sum(value for _, value in data.revenue_by_day) == 149800 + 30000


def test_success_rate_per_payment_mode_over_finished_attempts() -> None:
    seed()

    data = dashboard(now=NOW)

    rates = {
        rate.mode: (rate.completed, rate.finished, rate.percent) for rate in data.success_by_mode
    }
    assert rates == {
        "CARD": (0, 1, "0.0%"),
        "UPI_INTENT": (3, 4, "75.0%"),
        NO_ATTEMPT: (0, 2, "0.0%"),
    }
    assert data.success_by_mode[-1].mode == NO_ATTEMPT


def test_pending_payments_by_age_bucket() -> None:
    seed()

    data = dashboard(now=NOW)

    assert data.pending_by_age == [
        ("< 1 min", 1),
        ("1-5 min", 1),
        ("5-15 min", 1),
        ("15-60 min", 1),
        ("> 1 h", 2),
    ]


def test_queues_list_needs_attention_and_refunds_in_flight_with_age() -> None:
    seed()

    data = dashboard(now=NOW)

    assert [order.attention_reason for order in data.needs_attention] == ["Paid after expiry"]
    assert data.needs_attention_total == 1
    assert [(item.refund.amount_paise, item.age) for item in data.refunds_in_flight] == [
        (20000, "2 h 5 min")
    ]
    assert data.refunds_in_flight_total == 1


def test_the_page_shows_the_numbers_a_chart_with_a_table_and_links(
    support_client: Client,
) -> None:
    now = timezone.now()
    paid_order(created=now, paid=now, total=99800)
    attention = OrderFactory.create(
        status=OrderStatus.NEEDS_ATTENTION, attention_reason="Two payments completed"
    )

    response = support_client.get(URL)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    revenue = page.select_one("#bo-revenue-today")
    assert revenue is not None
    assert revenue.get_text() == "₹998.00"
    svg = page.select_one("svg.bo-chart")
    assert svg is not None
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title is not None
    assert desc is not None
    assert title.get_text() == "Revenue per day, last 30 days"
    assert "Total ₹998.00" in desc.get_text()
    assert len(svg.find_all("rect")) == 30
    table = page.select_one("#bo-revenue-chart-table")
    assert table is not None
    assert len(table.select("tbody tr")) == 30
    assert "Two payments completed" in page.get_text()
    link = reverse("admin:payments_order_change", args=[attention.pk])
    assert page.find("a", href=link) is not None
    assert "<script" not in response.content.decode().split("<svg", 1)[1].split("</svg>")[0]


def _grow(now: datetime, size: int) -> None:
    for index in range(size):
        completed_payment(at=now - timedelta(days=index % 30), payment_mode=f"MODE_{index % 4}")
        PaymentFactory.create(state=PaymentState.PENDING)
        OrderFactory.create(status=OrderStatus.NEEDS_ATTENTION, attention_reason=f"#{index}")
        RefundFactory.create(state=RefundState.REQUESTED)


def test_the_dashboard_takes_nine_queries_whatever_the_volume(
    django_assert_num_queries: Any,
) -> None:
    seed()
    with django_assert_num_queries(9):
        dashboard(now=NOW)

    _grow(NOW, 25)
    with django_assert_num_queries(9):
        dashboard(now=NOW)


def test_the_page_query_count_is_bounded(
    support_client: Client, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    _grow(now, 3)
    with django_assert_max_num_queries(14):
        assert support_client.get(URL).status_code == 200

    _grow(now, 30)
    with django_assert_max_num_queries(14):
        assert support_client.get(URL).status_code == 200
