"""The settlement report end to end: the CSV per day, its lines, backdating completions, and
the page listing the days."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sandbox.services import settlements
from sandbox.timeutil import epoch_ms

IST = ZoneInfo("Asia/Kolkata")
CONTROL = "/sandbox/pg/_control"
HEADER = (
    "transaction_id,merchant_order_id,merchant_refund_id,type,amount,fee,tax_on_fee,net,"
    "transaction_date,settlement_date,utr"
)
FRIDAY, SATURDAY = date(2025, 1, 3), date(2025, 1, 4)
MONDAY, TUESDAY = date(2025, 1, 6), date(2025, 1, 7)


# --- The CSV ----------------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=IST)


def _backdate_order(api, merchant_order_id, moment):
    path = f"{CONTROL}/orders/{merchant_order_id}/backdate"
    response = api.post_json(path, {"completedAt": epoch_ms(moment)}, {})
    assert response.status_code == 200, response.content
    return response.json()


def _completed_refund(api, merchant_order_id, merchant_refund_id, amount, moment):
    response = api.refund(
        {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": merchant_order_id,
            "amount": amount,
        }
    )
    assert response.status_code == 200, response.content
    api.refund_status(merchant_refund_id)
    assert api.refund_status(merchant_refund_id).json()["state"] == "COMPLETED"
    path = f"{CONTROL}/refunds/{merchant_refund_id}/backdate"
    response = api.post_json(path, {"completedAt": epoch_ms(moment)}, {})
    assert response.status_code == 200, response.content
    return response.json()


def _rows(response):
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_a_friday_payment_is_on_mondays_csv(api, settings):
    # given a 1499.00 payment completed on a Friday
    settings.SANDBOX_FEE_PERCENT, settings.SANDBOX_FEE_TAX_PERCENT = 2.0, 18.0
    merchant_order_id = api.paid_order(amount=149900)
    moved = _backdate_order(api, merchant_order_id, _at(FRIDAY, 10))
    assert (moved["transactionDate"], moved["settlementDate"]) == ("2025-01-03", "2025-01-06")

    # when the merchant downloads Monday's settlement
    response = api.client.get("/sandbox/settlements/2025-01-06.csv")

    # then it is a CSV attachment with the header and the payment less fee and GST
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="settlement-2025-01-06.csv"'
    assert response.content.decode().splitlines()[0] == HEADER
    [header, line] = _rows(response)
    assert line == [
        moved["transactionId"],
        merchant_order_id,
        "",
        "PAYMENT",
        "1499.00",
        "29.98",
        "5.40",
        "1463.62",
        "2025-01-03",
        "2025-01-06",
        settlements.utr_for(MONDAY),
    ]
    # and it is on no other day's
    for other in ("2025-01-03", "2025-01-04", "2025-01-07"):
        assert _rows(api.client.get(f"/sandbox/settlements/{other}.csv")) == [header]


@pytest.mark.django_db
def test_a_refund_is_a_negative_line_settled_on_its_own_date(api):
    # given a payment on Friday and a partial refund of it on Monday
    merchant_order_id = api.paid_order(amount=149900)
    _backdate_order(api, merchant_order_id, _at(FRIDAY, 10))
    moved = _completed_refund(api, merchant_order_id, "RF-SET-1", 50000, _at(MONDAY, 15))

    # then Tuesday's settlement has the refund only, with no fee and no GST
    [_header, line] = _rows(api.client.get("/sandbox/settlements/2025-01-07.csv"))
    assert line == [
        moved["transactionId"],
        merchant_order_id,
        "RF-SET-1",
        "REFUND",
        "-500.00",
        "0.00",
        "0.00",
        "-500.00",
        "2025-01-06",
        "2025-01-07",
        settlements.utr_for(TUESDAY),
    ]
    assert len(_rows(api.client.get("/sandbox/settlements/2025-01-06.csv"))) == 2


@pytest.mark.django_db
def test_lines_of_a_day_share_one_utr_and_come_in_completion_order(api):
    first, second = api.paid_order(amount=10000), api.paid_order(amount=20000)
    _backdate_order(api, second, _at(SATURDAY, 9))
    _backdate_order(api, first, _at(FRIDAY, 23, 59))

    rows = _rows(api.client.get(f"{CONTROL}/settlements/2025-01-06.csv"))[1:]

    assert [row[1] for row in rows] == [first, second]
    assert {row[10] for row in rows} == {settlements.utr_for(MONDAY)}


@pytest.mark.django_db
def test_the_transaction_date_is_the_indian_date(api):
    # 00:30 IST on Monday is still Sunday in UTC
    merchant_order_id = api.paid_order()
    _backdate_order(api, merchant_order_id, _at(MONDAY, 0, 30))

    assert len(_rows(api.client.get("/sandbox/settlements/2025-01-06.csv"))) == 1
    [_header, line] = _rows(api.client.get("/sandbox/settlements/2025-01-07.csv"))
    assert line[8] == "2025-01-06"


@pytest.mark.django_db
def test_unpaid_orders_and_unfinished_refunds_are_not_settled(api, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 600
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600
    paid = api.paid_order()
    failed = api.create_order()
    api.complete(failed, outcome="FAILURE")
    api.create_order()
    api.refund({"merchantRefundId": "RF-SET-2", "originalMerchantOrderId": paid, "amount": 100})

    today = timezone.localdate()
    rows = _rows(api.client.get(f"/sandbox/settlements/{settlements.settlement_date(today)}.csv"))

    assert [(row[1], row[3]) for row in rows[1:]] == [(paid, "PAYMENT")]


@pytest.mark.django_db
def test_a_refund_due_but_never_read_is_in_the_report(api, settings):
    # The report does not depend on the Celery worker: due refunds are finished first.
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 0
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 0
    merchant_order_id = api.paid_order()
    api.refund(
        {
            "merchantRefundId": "RF-SET-3",
            "originalMerchantOrderId": merchant_order_id,
            "amount": 100,
        }
    )

    day = settlements.settlement_date(timezone.localdate())
    rows = _rows(api.client.get(f"/sandbox/settlements/{day}.csv"))

    assert [row[3] for row in rows[1:]] == ["PAYMENT", "REFUND"]


@pytest.mark.django_db
def test_a_bad_date_is_not_found(api):
    assert api.client.get("/sandbox/settlements/2025-02-30.csv").status_code == 404
    assert api.client.get("/sandbox/settlements/2025-1-6.csv").status_code == 404
    response = api.client.get(f"{CONTROL}/settlements/2025-13-01.csv")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


# --- Backdating -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({}, "completedAt must be an integer"),
        ({"completedAt": "2025-01-03"}, "completedAt must be an integer"),
        ({"completedAt": -1}, "completedAt must be an integer"),
        ({"completedAt": 10**18}, "completedAt is out of range"),
        ({"completedAt": 0, "at": 1}, "at is not a known field"),
    ],
)
def test_bad_backdate_requests_answer_400(api, body, mentions):
    merchant_order_id = api.paid_order()

    response = api.post_json(f"{CONTROL}/orders/{merchant_order_id}/backdate", body, {})

    assert response.status_code == 400
    assert mentions in response.json()["message"]


@pytest.mark.django_db
def test_a_completion_cannot_move_into_the_future(api):
    merchant_order_id = api.paid_order()
    future = epoch_ms(timezone.now() + timedelta(minutes=5))

    response = api.post_json(
        f"{CONTROL}/orders/{merchant_order_id}/backdate", {"completedAt": future}, {}
    )

    assert response.status_code == 400
    assert "future" in response.json()["message"]


@pytest.mark.django_db
def test_only_completed_things_can_be_backdated(api, settings):
    settings.SANDBOX_REFUND_CONFIRM_SECONDS = 600
    settings.SANDBOX_REFUND_COMPLETE_SECONDS = 600
    body = {"completedAt": epoch_ms(_at(FRIDAY, 10))}
    pending = api.create_order()
    paid = api.paid_order()
    api.refund({"merchantRefundId": "RF-SET-4", "originalMerchantOrderId": paid, "amount": 100})

    order = api.post_json(f"{CONTROL}/orders/{pending}/backdate", body, {})
    refund = api.post_json(f"{CONTROL}/refunds/RF-SET-4/backdate", body, {})
    unknown = api.post_json(f"{CONTROL}/refunds/NOPE/backdate", body, {})

    assert (order.status_code, order.json()["code"]) == (409, "ORDER_NOT_COMPLETED")
    assert (refund.status_code, refund.json()["code"]) == (409, "REFUND_NOT_COMPLETED")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "REFUND_NOT_FOUND")


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_settlement_days_with_totals_and_downloads(api, settings):
    settings.SANDBOX_FEE_PERCENT, settings.SANDBOX_FEE_TAX_PERCENT = 2.0, 18.0
    friday, saturday = api.paid_order(amount=149900), api.paid_order(amount=10000)
    _backdate_order(api, friday, _at(FRIDAY, 10))
    _backdate_order(api, saturday, _at(SATURDAY, 10))
    _completed_refund(api, friday, "RF-SET-5", 50000, _at(MONDAY, 15))

    days = settlements.recent_days()
    response = api.client.get("/sandbox/settlements/")

    assert [(day.settlement_date, day.payments, day.refunds) for day in days] == [
        (TUESDAY, 0, 1),
        (MONDAY, 2, 0),
    ]
    # 1499.00 + 100.00 less fees 29.98 + 2.00 and GST 5.40 + 0.36
    assert (days[1].amount, days[1].fee, days[1].tax_on_fee, days[1].net) == (
        159900,
        3198,
        576,
        156126,
    )
    assert days[0].net == -50000
    page = response.content.decode()
    assert response.status_code == 200
    assert "/sandbox/settlements/2025-01-06.csv" in page
    assert "/sandbox/settlements/2025-01-07.csv" in page
    assert "₹1,561.26" in page
    assert settlements.utr_for(MONDAY) in page
    assert "Friday, Saturday and Sunday the next Monday" in page
    assert HEADER in page


@pytest.mark.django_db
def test_the_page_keeps_the_latest_days_only(api):
    for back in range(3):
        merchant_order_id = api.paid_order()
        _backdate_order(api, merchant_order_id, _at(MONDAY, 10) + timedelta(days=back))

    days = settlements.recent_days(limit=2)

    assert [day.settlement_date for day in days] == [date(2025, 1, 9), date(2025, 1, 8)]


@pytest.mark.django_db
def test_the_page_says_when_there_is_nothing_yet(api):
    response = api.client.get("/sandbox/settlements/")

    assert response.status_code == 200
    assert "Nothing to settle yet" in response.content.decode()


@pytest.mark.django_db
def test_the_console_links_to_the_settlements(api):
    assert 'href="/sandbox/settlements/"' in api.client.get("/sandbox/").content.decode()
