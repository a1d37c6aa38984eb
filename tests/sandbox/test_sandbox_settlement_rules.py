"""Settlement rules without the database: fee and GST arithmetic, rupee formatting, the T+N
business-day calendar, the UTR and the settings that drive them."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from sandbox import conf
from sandbox.checks import check_settlement_settings
from sandbox.money import format_rupees
from sandbox.services import settlements

FRIDAY, SATURDAY, SUNDAY = date(2025, 1, 3), date(2025, 1, 4), date(2025, 1, 5)
MONDAY, TUESDAY, THURSDAY = date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 9)


# --- Arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (149900, "2.0", 2998),
        (125, "2.0", 3),  # 2.5 rounds up (half up, not to even)
        (124, "2.0", 2),  # 2.48
        (175, "2.0", 4),  # 3.5
        (3, "18.0", 1),  # 0.54
        (2, "18.0", 0),  # 0.36
        (2998, "18.0", 540),  # 539.64
        (25, "18.0", 5),  # 4.5 rounds up
        (100, "0", 0),
    ],
)
def test_percent_of_rounds_half_up_to_the_paisa(amount, percent, expected):
    assert settlements.percent_of(amount, Decimal(percent)) == expected


def test_fee_tax_and_net_of_a_payment(settings):
    settings.SANDBOX_FEE_PERCENT = 2.0
    settings.SANDBOX_FEE_TAX_PERCENT = 18.0

    fee, tax = settlements.fee_and_tax(149900)

    assert (fee, tax, 149900 - fee - tax) == (2998, 540, 146362)
    assert settlements.fee_and_tax(125) == (3, 1)  # 2.5 -> 3, then 0.54 -> 1


def test_a_float_percentage_is_read_as_written(settings):
    # 1.15 as a binary float is 1.1499999...: 11.4999... paise would round down to 11.
    settings.SANDBOX_FEE_PERCENT = 1.15
    settings.SANDBOX_FEE_TAX_PERCENT = "0"

    assert settlements.fee_and_tax(1000) == (12, 0)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(149900, "1499.00"), (5, "0.05"), (0, "0.00"), (-5000, "-50.00"), (-1, "-0.01")],
)
def test_rupees_in_the_csv_have_two_decimals(amount, text):
    assert format_rupees(amount) == text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SANDBOX_SETTLEMENT_DAYS", -1),
        ("SANDBOX_SETTLEMENT_DAYS", "one"),
        ("SANDBOX_SETTLEMENT_DAYS", 1.5),
        ("SANDBOX_FEE_PERCENT", "two"),
        ("SANDBOX_FEE_PERCENT", 101),
        ("SANDBOX_FEE_TAX_PERCENT", "NaN"),
        ("SANDBOX_FEE_TAX_PERCENT", -1),
    ],
)
def test_bad_settlement_settings_fail_the_system_check(settings, name, value):
    setattr(settings, name, value)

    [error] = check_settlement_settings()

    assert error.id == "sandbox.E002"
    assert name in error.msg


def test_settings_default_when_absent(settings):
    for name in ("SANDBOX_SETTLEMENT_DAYS", "SANDBOX_FEE_PERCENT", "SANDBOX_FEE_TAX_PERCENT"):
        if hasattr(settings, name):
            delattr(settings, name)

    assert conf.settlement_days() == 1
    assert (conf.fee_percent(), conf.fee_tax_percent()) == (Decimal("2.0"), Decimal("18.0"))
    assert check_settlement_settings() == []


def test_conf_raises_on_a_bad_value(settings):
    settings.SANDBOX_SETTLEMENT_DAYS = 31
    with pytest.raises(ImproperlyConfigured):
        conf.settlement_days()


# --- Calendar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "transaction_date", "expected"),
    [
        (1, MONDAY, TUESDAY),
        (1, THURSDAY, date(2025, 1, 10)),
        (1, FRIDAY, MONDAY),
        (1, SATURDAY, MONDAY),
        (1, SUNDAY, MONDAY),
        (2, THURSDAY, date(2025, 1, 13)),
        (2, FRIDAY, TUESDAY),
        (2, SATURDAY, TUESDAY),
        (0, date(2025, 1, 8), date(2025, 1, 8)),
        (0, SATURDAY, MONDAY),
        (5, MONDAY, date(2025, 1, 13)),
    ],
)
def test_settlement_is_the_nth_business_day_after(days, transaction_date, expected):
    assert settlements.settlement_date(transaction_date, days) == expected


def test_monday_settles_friday_to_sunday_and_weekends_settle_nothing():
    assert settlements.transaction_dates_for(MONDAY, 1) == [FRIDAY, SATURDAY, SUNDAY]
    assert settlements.transaction_dates_for(TUESDAY, 1) == [MONDAY]
    assert settlements.transaction_dates_for(SATURDAY, 1) == []
    assert settlements.transaction_dates_for(TUESDAY, 2) == [FRIDAY, SATURDAY, SUNDAY]


def test_the_utr_is_twelve_digits_fixed_per_merchant_and_date(settings):
    utr = settlements.utr_for(MONDAY)

    assert re.fullmatch(r"[1-9][0-9]{11}", utr)
    assert settlements.utr_for(MONDAY) == utr
    assert settlements.utr_for(TUESDAY) != utr
    settings.SANDBOX_MERCHANT_ID = "OTHERMERCHANT"
    assert settlements.utr_for(MONDAY) != utr
