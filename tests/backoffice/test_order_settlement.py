"""order_settlement(order): what the order page shows about the payout, and its template."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.template.loader import render_to_string

from backoffice.conf import BUSINESS_TZ
from backoffice.selectors import order_settlement
from backoffice.settlements import settlement_report_upload
from payments.state import RefundState
from tests.backoffice.factories import (
    RefundFactory,
    completed_payment,
    payment_line,
    refund_line,
    settlement_csv,
)
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

FRIDAY_EVENING = datetime(2026, 11, 27, 21, 0, tzinfo=BUSINESS_TZ)
MONDAY = date(2026, 11, 30)
KEYS = {
    "merchant_order_id", "paid_amount_paise", "completed_at", "expected_settlement_date",
    "settlement_date", "utr", "status", "status_label", "problems", "fee_paise",
    "tax_on_fee_paise", "net_paise", "expected_fee_paise", "expected_tax_on_fee_paise",
    "expected_net_paise",
}  # fmt: skip


def test_a_settled_order(django_assert_num_queries: Any) -> None:
    payment = completed_payment(at=FRIDAY_EVENING, amount_paise=99800)
    refund = RefundFactory.create(payment=payment, state=RefundState.COMPLETED, amount_paise=5000)
    settlement_report_upload(
        file_name="s.csv",
        content=settlement_csv(
            payment_line(payment, settlement_date=MONDAY, utr="UTR777"),
            refund_line(refund, settlement_date=MONDAY, utr="UTR778"),
        ),
        uploaded_by=None,
    )

    with django_assert_num_queries(3):
        summary = order_settlement(payment.order, now=FRIDAY_EVENING)

    assert (summary["status"], summary["status_label"]) == ("settled", "Settled")
    [item] = summary["payments"]
    assert set(item) == KEYS
    assert item | {"completed_at": None} == {
        "merchant_order_id": payment.merchant_order_id,
        "paid_amount_paise": 99800,
        "completed_at": None,
        "expected_settlement_date": MONDAY,
        "settlement_date": MONDAY,
        "utr": "UTR777",
        "status": "settled",
        "status_label": "Settled",
        "problems": [],
        "fee_paise": 1996,
        "tax_on_fee_paise": 359,
        "net_paise": 97445,
        "expected_fee_paise": 1996,
        "expected_tax_on_fee_paise": 359,
        "expected_net_paise": 97445,
    }
    assert summary["refunds"] == [
        {
            "merchant_refund_id": refund.merchant_refund_id,
            "amount_paise": -5000,
            "settlement_date": MONDAY,
            "utr": "UTR778",
        }
    ]


def test_before_the_payout_the_expected_figures_are_given() -> None:
    payment = completed_payment(at=FRIDAY_EVENING, amount_paise=99800)

    summary = order_settlement(payment.order, now=FRIDAY_EVENING)

    [item] = summary["payments"]
    assert summary["status"] == "not_yet_settled"
    assert (item["fee_paise"], item["net_paise"], item["utr"]) == (None, None, "")
    assert (item["expected_settlement_date"], item["expected_net_paise"]) == (MONDAY, 97445)


def test_an_order_without_a_completed_payment_has_nothing_to_settle() -> None:
    summary = order_settlement(OrderFactory.create())

    assert summary == {"status": None, "status_label": "", "payments": [], "refunds": []}
    html = render_to_string("backoffice/_order_settlement.html", {"settlement": summary})
    assert "No completed payment: nothing to settle." in html


def test_the_snippet_renders_the_summary() -> None:
    payment = completed_payment(at=FRIDAY_EVENING, amount_paise=99800)
    settlement_report_upload(
        file_name="s.csv",
        content=settlement_csv(
            payment_line(payment, settlement_date=MONDAY, fee_paise=2500, utr="UTR999")
        ),
        uploaded_by=None,
    )

    html = render_to_string(
        "backoffice/_order_settlement.html",
        {"settlement": order_settlement(payment.order, now=FRIDAY_EVENING)},
    )

    assert "Mismatched" in html
    assert "fee ₹25.00, expected ₹19.96" in html
    assert "UTR999" in html
    assert "Mon 30 Nov 2026" in html
