"""CSV exports of orders and payments, row by row from a database iterator (streamable).

Money appears twice: rupees with two decimals (for people) and raw paise (for machines). Text
from customers or the gateway is guarded against formula injection: a spreadsheet would run a
cell starting with = + - @ (or a tab or carriage return), so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from backoffice.conf import BUSINESS_TZ
from backoffice.dates import day_range
from backoffice.money import rupees
from payments.models import Order, Payment

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500


def safe_cell(value: object) -> str:
    """Text as a spreadsheet will show it, never run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment, BUSINESS_TZ).isoformat() if moment else ""


def _money(paise: int | None) -> list[str]:
    return [rupees(paise), "" if paise is None else str(paise)]


ORDER_HEADER = [
    "number", "created_at", "status", "customer_name", "customer_email", "customer_phone",
    "subtotal_inr", "subtotal_paise", "shipping_inr", "shipping_paise", "total_inr",
    "total_paise", "refunded_inr", "refunded_paise", "fulfilment_status", "paid_at",
]  # fmt: skip

PAYMENT_HEADER = [
    "merchant_order_id", "order_number", "state", "amount_inr", "amount_paise",
    "paid_amount_inr", "paid_amount_paise", "payment_mode", "gateway_transaction_id",
    "created_at", "completed_at", "error_code", "detailed_error_code",
]  # fmt: skip


def order_rows(date_from: date, date_to: date) -> Iterator[list[str]]:
    """The header, then one row per order created in the range (Indian days), oldest first."""
    start, end = day_range(date_from, date_to)
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end).order_by(
        "created_at", "id"
    )
    yield ORDER_HEADER
    for order in orders.values().iterator(chunk_size=CHUNK_SIZE):
        yield [
            safe_cell(order["number"]),
            _when(order["created_at"]),
            safe_cell(order["status"]),
            safe_cell(order["full_name"]),
            safe_cell(order["email"]),
            safe_cell(order["phone"]),
            *_money(order["subtotal_paise"]),
            *_money(order["shipping_paise"]),
            *_money(order["total_paise"]),
            *_money(order["refunded_paise"]),
            safe_cell(order["fulfilment_status"]),
            _when(order["paid_at"]),
        ]


def payment_rows(date_from: date, date_to: date) -> Iterator[list[str]]:
    """The header, then one row per payment created in the range (Indian days), oldest first."""
    start, end = day_range(date_from, date_to)
    payments = (
        Payment.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values(
            "merchant_order_id",
            "order__number",
            "state",
            "amount_paise",
            "paid_amount_paise",
            "payment_mode",
            "gateway_transaction_id",
            "created_at",
            "completed_at",
            "error_code",
            "detailed_error_code",
        )
    )
    yield PAYMENT_HEADER
    for payment in payments.iterator(chunk_size=CHUNK_SIZE):
        yield [
            safe_cell(payment["merchant_order_id"]),
            safe_cell(payment["order__number"]),
            safe_cell(payment["state"]),
            *_money(payment["amount_paise"]),
            *_money(payment["paid_amount_paise"]),
            safe_cell(payment["payment_mode"]),
            safe_cell(payment["gateway_transaction_id"]),
            _when(payment["created_at"]),
            _when(payment["completed_at"]),
            safe_cell(payment["error_code"]),
            safe_cell(payment["detailed_error_code"]),
        ]


class _Echo:
    """A file-like object whose write returns the text, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
