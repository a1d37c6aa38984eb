"""Settlement statuses: the fee rule, T+N business days, and what each payment's status is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from backoffice.conf import BUSINESS_TZ
from backoffice.selectors import settlement_overview
from backoffice.settlement_rules import (
    FeeRule,
    LineFacts,
    SettlementStatus,
    expected_settlement_date,
    settlement_status,
)
from payments.models import Payment
from tests.backoffice.factories import completed_payment, payment_line, settlement_csv

RULE = FeeRule(fee_percent=Decimal("2.0"), tax_percent=Decimal("18.0"))
FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("amount", "fee", "tax"),
    [
        (99800, 1996, 359),  # 19.96; 3.5928 -> 3.59
        (125, 3, 1),  # 2.5 paise rounds half-up to 3 (not to even); 0.54 -> 1
        (12345, 247, 44),  # 246.9 -> 247; 44.46 -> 44
        (2500, 50, 9),  # exactly 50; exactly 9
    ],
)
def test_the_fee_rule_rounds_half_up_to_the_paisa(amount: int, fee: int, tax: int) -> None:
    assert (RULE.fee_paise(amount), RULE.tax_paise(amount)) == (fee, tax)
    assert RULE.net_paise(amount) == amount - fee - tax


@pytest.mark.parametrize(
    ("completed", "days", "expected"),
    [
        (FRIDAY, 1, MONDAY),
        (date(2026, 11, 26), 1, FRIDAY),  # Thursday
        (date(2026, 11, 28), 1, MONDAY),  # Saturday
        (date(2026, 11, 26), 2, MONDAY),
        (FRIDAY, 0, FRIDAY),
        (FRIDAY, 5, date(2026, 12, 4)),
    ],
)
def test_expected_date_counts_business_days(completed: date, days: int, expected: date) -> None:
    assert expected_settlement_date(completed, days) == expected


def line(amount: int = 99800, fee: int = 1996, tax: int = 359, on: date = MONDAY) -> LineFacts:
    return LineFacts(amount, fee, tax, amount - fee - tax, on, "UTR1")


def status(lines: list[LineFacts], today: date = MONDAY, paid: int = 99800) -> Any:
    return settlement_status(
        paid_amount_paise=paid,
        completed_on=FRIDAY,
        lines=lines,
        today=today,
        rule=RULE,
        business_days=1,
    )


def test_settled_when_amount_fee_and_tax_match() -> None:
    outcome = status([line()])

    assert (outcome.status, outcome.problems, outcome.expected_date) == (
        SettlementStatus.SETTLED,
        (),
        MONDAY,
    )
    assert outcome.line is not None
    assert outcome.line.utr == "UTR1"


def test_one_paisa_off_on_fee_and_tax_is_still_settled() -> None:
    assert status([line(fee=1997, tax=358)]).status is SettlementStatus.SETTLED


def test_mismatched_amount_says_so() -> None:
    outcome = status([line(amount=99700, fee=1994, tax=359)])

    assert outcome.status is SettlementStatus.MISMATCHED
    assert outcome.problems == ("amount ₹997.00, paid ₹998.00",)


def test_mismatched_fee_says_so() -> None:
    outcome = status([line(fee=2994, tax=539)])

    assert outcome.status is SettlementStatus.MISMATCHED
    assert outcome.problems == (
        "fee ₹29.94, expected ₹19.96",
        "tax on fee ₹5.39, expected ₹3.59",
    )


def test_paid_out_twice_is_mismatched() -> None:
    outcome = status([line(on=date(2026, 12, 1)), line()])

    assert outcome.status is SettlementStatus.MISMATCHED
    assert outcome.problems == ("paid out 2 times",)
    assert outcome.line is not None
    assert outcome.line.settlement_date == MONDAY


def test_friday_payment_is_not_yet_settled_over_the_weekend_and_on_monday() -> None:
    for today in (FRIDAY, date(2026, 11, 28), date(2026, 11, 29), MONDAY):
        assert status([], today=today).status is SettlementStatus.NOT_YET_SETTLED


def test_missing_once_the_expected_day_has_passed() -> None:
    outcome = status([], today=date(2026, 12, 1))

    assert (outcome.status, outcome.label) == (SettlementStatus.MISSING, "Missing")


# --- on the database ------------------------------------------------------------------------


def ist(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_TZ)


def upload(client: Client, *lines: dict[str, str]) -> None:
    content = settlement_csv(*lines)
    file = SimpleUploadedFile("settlement.csv", content, "text/csv")
    assert client.post(reverse("backoffice:settlement_upload"), {"file": file}).status_code == 302


@pytest.fixture
def week(finance_client: Client) -> dict[str, Payment]:
    """Payments completed on Friday 27 November 2026 (India), in every settlement situation."""
    payments = {
        name: completed_payment(at=ist(FRIDAY, hour))
        for hour, name in enumerate(["settled", "amount", "fee", "unsettled"], start=9)
    }
    # Completed late on Friday evening in India (still Friday there; Friday in UTC too).
    upload(
        finance_client,
        payment_line(payments["settled"], settlement_date=MONDAY),
        payment_line(payments["amount"], settlement_date=MONDAY, amount_paise=90000),
        payment_line(payments["fee"], settlement_date=MONDAY, fee_paise=2994),
    )
    return payments


@pytest.mark.django_db
def test_overview_on_monday_says_not_yet_for_the_unsettled(week: dict[str, Payment]) -> None:
    overview = settlement_overview(date_from=FRIDAY, date_to=FRIDAY, now=ist(MONDAY, 18))

    by_id = {row.payment.pk: row.outcome for row in overview.rows}
    assert by_id[week["settled"].pk].status is SettlementStatus.SETTLED
    assert by_id[week["amount"].pk].status is SettlementStatus.MISMATCHED
    assert by_id[week["amount"].pk].problems[0] == "amount ₹900.00, paid ₹998.00"
    assert by_id[week["fee"].pk].problems == ("fee ₹29.94, expected ₹19.96",)
    assert by_id[week["unsettled"].pk].status is SettlementStatus.NOT_YET_SETTLED
    assert overview.counts == {
        "settled": 1,
        "mismatched": 2,
        "not_yet_settled": 1,
        "missing": 0,
    }


@pytest.mark.django_db
def test_overview_on_tuesday_says_missing(week: dict[str, Payment]) -> None:
    overview = settlement_overview(date_from=FRIDAY, date_to=FRIDAY, now=ist(date(2026, 12, 1)))

    assert overview.counts["missing"] == 1


@pytest.mark.django_db
def test_settlement_days_setting_moves_the_expected_date(
    week: dict[str, Payment], settings: Any
) -> None:
    settings.BACKOFFICE_SETTLEMENT_DAYS = 2

    overview = settlement_overview(date_from=FRIDAY, date_to=FRIDAY, now=ist(date(2026, 12, 1)))

    assert overview.counts["not_yet_settled"] == 1
    assert {row.outcome.expected_date for row in overview.rows} == {date(2026, 12, 1)}


@pytest.mark.django_db
def test_the_page_lists_statuses_and_filters(
    week: dict[str, Payment], support_client: Client
) -> None:
    url = reverse("backoffice:settlements")

    response = support_client.get(url, {"date_from": "2026-11-27", "date_to": "2026-11-27"})

    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="bo-count-settled">1<' in text
    assert 'id="bo-count-mismatched">2<' in text
    assert "fee ₹29.94, expected ₹19.96" in text
    assert week["settled"].merchant_order_id in text
    only_settled = support_client.get(
        url, {"date_from": "2026-11-27", "date_to": "2026-11-27", "status": "settled"}
    ).content.decode()
    assert week["settled"].merchant_order_id in only_settled
    assert week["fee"].merchant_order_id not in only_settled


@pytest.mark.django_db
def test_the_page_refuses_a_reversed_range(support_client: Client) -> None:
    response = support_client.get(
        reverse("backoffice:settlements"), {"date_from": "2026-11-28", "date_to": "2026-11-27"}
    )

    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
