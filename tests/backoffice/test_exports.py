"""CSV exports: streamed, Indian-day ranges, money twice, formula injection neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from backoffice.exports import ORDER_HEADER, PAYMENT_HEADER, safe_cell
from payments.state import OrderStatus, PaymentState
from tests.backoffice.factories import backdate
from tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:export")


def export(client: Client, kind: str, date_from: str, date_to: str) -> list[dict[str, str]]:
    response = client.get(URL, {"kind": kind, "date_from": date_from, "date_to": date_to})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{kind}-{date_from}-to-{date_to}.csv"'
    )
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_orders_export_has_customer_totals_in_rupees_and_paise(support_client: Client) -> None:
    order = OrderFactory.create(
        number="LL-EXP-1",
        subtotal_paise=149950,
        shipping_paise=4900,
        status=OrderStatus.PAID,
        refunded_paise=10000,
        full_name="Meera Iyer",
        email="meera@example.test",
        phone="9876501234",
    )
    backdate(order, created_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC))

    rows = export(support_client, "orders", "2026-03-10", "2026-03-10")

    assert list(rows[0]) == ORDER_HEADER
    assert rows == [
        rows[0]
        | {
            "number": "LL-EXP-1",
            "created_at": "2026-03-10T11:30:00+05:30",
            "status": "PAID",
            "customer_name": "Meera Iyer",
            "customer_email": "meera@example.test",
            "customer_phone": "9876501234",
            "subtotal_inr": "1499.50",
            "subtotal_paise": "149950",
            "shipping_inr": "49.00",
            "shipping_paise": "4900",
            "total_inr": "1548.50",
            "total_paise": "154850",
            "refunded_inr": "100.00",
            "refunded_paise": "10000",
            "fulfilment_status": "UNFULFILLED",
        }
    ]


def test_payments_export_lists_gateway_details(support_client: Client) -> None:
    payment = PaymentFactory.create(
        merchant_order_id="LL-EXP-P1",
        order__number="LL-EXP-2",
        state=PaymentState.FAILED,
        payment_mode="CARD",
        gateway_transaction_id="OM123",
        error_code="INSUFFICIENT_BALANCE",
        detailed_error_code="Z9",
    )
    backdate(payment, created_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC))

    rows = export(support_client, "payments", "2026-03-10", "2026-03-10")

    assert list(rows[0]) == PAYMENT_HEADER
    assert len(rows) == 1
    assert rows[0] | {"created_at": ""} == {
        "merchant_order_id": "LL-EXP-P1",
        "order_number": "LL-EXP-2",
        "state": "FAILED",
        "amount_inr": "998.00",
        "amount_paise": "99800",
        "paid_amount_inr": "",
        "paid_amount_paise": "",
        "payment_mode": "CARD",
        "gateway_transaction_id": "OM123",
        "created_at": "",
        "completed_at": "",
        "error_code": "INSUFFICIENT_BALANCE",
        "detailed_error_code": "Z9",
    }


def test_the_range_is_inclusive_indian_dates(support_client: Client) -> None:
    # 10 March 2026 in India runs from 9 March 18:30 UTC to 10 March 18:30 UTC.
    moments = {
        "before": datetime(2026, 3, 9, 18, 29, 59, tzinfo=UTC),
        "first": datetime(2026, 3, 9, 18, 30, tzinfo=UTC),
        "last": datetime(2026, 3, 11, 18, 29, 59, tzinfo=UTC),
        "after": datetime(2026, 3, 11, 18, 30, tzinfo=UTC),
    }
    for name, moment in moments.items():
        backdate(OrderFactory.create(number=f"LL-{name}"), created_at=moment)

    rows = export(support_client, "orders", "2026-03-10", "2026-03-11")

    assert [row["number"] for row in rows] == ["LL-first", "LL-last"]


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(support_client: Client) -> None:
    order = OrderFactory.create(
        full_name='=HYPERLINK("http://evil.test","Click")',
        email="@SUM(A1)",
        phone="+919876543210",
        address_line1="-2+3",
    )
    backdate(order, created_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC))

    rows = export(support_client, "orders", "2026-03-10", "2026-03-10")

    assert rows[0]["customer_name"] == '\'=HYPERLINK("http://evil.test","Click")'
    assert rows[0]["customer_email"] == "'@SUM(A1)"
    assert rows[0]["customer_phone"] == "'+919876543210"
    assert rows[0]["total_inr"] == "998.00"  # our own numbers are left alone


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-5", "'-5"), ("\tx", "'\tx"), ("plain", "plain"), ("", ""), (None, ""), ("a=b", "a=b")],
)
def test_safe_cell(value: str | None, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("2026-03-11", "2026-03-10", "The start date is after the end date."),
        ("2025-01-01", "2026-01-02", "Choose at most 366 days"),
        ("2026-02-30", "2026-03-10", "Enter a valid date."),
    ],
)
def test_a_bad_range_shows_the_form_with_an_error_and_no_file(
    support_client: Client, date_from: str, date_to: str, message: str
) -> None:
    response = support_client.get(
        URL, {"kind": "orders", "date_from": date_from, "date_to": date_to}
    )

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_full_leap_year_is_allowed(support_client: Client) -> None:
    rows = export(support_client, "payments", "2028-01-01", "2028-12-31")

    assert rows == []


def test_without_parameters_the_form_proposes_the_last_thirty_days(
    support_client: Client,
) -> None:
    response = support_client.get(URL)

    assert response.status_code == 200
    assert 'name="date_from"' in response.content.decode()
