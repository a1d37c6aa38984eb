"""Uploading settlement files: checked whole, saved once, matched to our payments and refunds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.exceptions import SettlementFileInvalid
from backoffice.models import SettlementLine, SettlementReport
from backoffice.settlement_file import HEADER, parse_settlement_file
from payments.models import Payment
from payments.state import PaymentState, RefundState
from tests.backoffice.factories import (
    RefundFactory,
    completed_payment,
    payment_line,
    refund_line,
    settlement_csv,
)
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:settlement_upload")
SETTLED_ON = date(2026, 11, 30)


def upload(client: Client, content: bytes, name: str = "settlement-2026-11-30.csv") -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


@pytest.fixture
def paid() -> Payment:
    return completed_payment(at=timezone.now() - timedelta(days=3), amount_paise=99800)


def test_a_valid_file_is_saved_with_totals_and_matches(
    finance_client: Client, paid: Payment
) -> None:
    refund = RefundFactory.create(payment=paid, state=RefundState.COMPLETED, amount_paise=10000)
    stranger = payment_line(paid, settlement_date=SETTLED_ON) | {
        "merchant_order_id": "NOT-OURS-1",
        "transaction_id": "OM-STRANGER",
    }
    content = settlement_csv(
        payment_line(paid, settlement_date=SETTLED_ON),
        refund_line(refund, settlement_date=SETTLED_ON),
        stranger,
    )

    response = upload(finance_client, content)

    report = SettlementReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:backoffice_settlementreport_change", args=[report.pk]
    )
    assert (report.line_count, report.payment_count, report.refund_count) == (3, 2, 1)
    # 998.00 x 2: fee 19.96 each, GST 3.59 each; the refund is -100.00 without fee.
    assert report.amount_paise == 2 * 99800 - 10000
    assert report.fee_paise == 2 * 1996
    assert report.tax_on_fee_paise == 2 * 359
    assert report.net_paise == 2 * (99800 - 1996 - 359) - 10000
    assert (report.settlement_date_from, report.settlement_date_to) == (SETTLED_ON, SETTLED_ON)
    assert report.uploaded_by_name == "finance"
    lines = {line.merchant_order_id + line.merchant_refund_id: line for line in report.lines.all()}
    assert lines[paid.merchant_order_id].payment == paid
    assert lines[paid.merchant_order_id].match_status == SettlementLine.Match.MATCHED
    assert lines[paid.merchant_order_id + refund.merchant_refund_id].refund == refund
    assert lines["NOT-OURS-1"].match_status == SettlementLine.Match.UNMATCHED
    shown = finance_client.get(response["Location"])
    assert shown.status_code == 200
    assert "match nothing here" in shown.content.decode()


def test_a_line_that_differs_is_saved_as_mismatched(finance_client: Client, paid: Payment) -> None:
    failed = PaymentFactory.create(state=PaymentState.FAILED, gateway_transaction_id="OM-F")
    failed_line = payment_line(paid, settlement_date=SETTLED_ON) | {
        "merchant_order_id": failed.merchant_order_id,
        "transaction_id": "OM-F",
    }
    content = settlement_csv(
        payment_line(paid, settlement_date=SETTLED_ON, fee_paise=2500), failed_line
    )

    upload(finance_client, content)

    notes = dict(SettlementLine.objects.values_list("merchant_order_id", "match_note"))
    assert notes[paid.merchant_order_id] == "Fee ₹25.00, expected ₹19.96."
    assert notes[failed.merchant_order_id] == "The payment is FAILED here."


def test_a_bad_header_is_refused_and_nothing_is_saved(
    finance_client: Client, paid: Payment
) -> None:
    wrong = tuple(name if name != "utr" else "bank_reference" for name in HEADER)
    content = settlement_csv(
        payment_line(paid, settlement_date=SETTLED_ON) | {"bank_reference": "UTR1"}, header=wrong
    )

    response = upload(finance_client, content)

    assert response.status_code == 400
    text = response.content.decode()
    assert "The settlement file is not valid; nothing was saved." in text
    assert "The header must be exactly: transaction_id,merchant_order_id," in text
    assert SettlementReport.objects.count() == SettlementLine.objects.count() == 0


def test_a_bad_amount_lists_the_line_and_saves_nothing(
    finance_client: Client, paid: Payment
) -> None:
    other = completed_payment(at=timezone.now() - timedelta(days=3))
    content = settlement_csv(
        payment_line(paid, settlement_date=SETTLED_ON),
        payment_line(other, settlement_date=SETTLED_ON) | {"amount": "998.005"},
    )

    response = upload(finance_client, content)

    assert response.status_code == 400
    assert "Line 3: amount &#x27;998.005&#x27; is not rupees with at most two decimals." in (
        response.content.decode()
    )
    assert SettlementLine.objects.count() == 0


def test_uploading_the_same_file_twice_does_not_count_twice(
    finance_client: Client, paid: Payment
) -> None:
    content = settlement_csv(payment_line(paid, settlement_date=SETTLED_ON))
    upload(finance_client, content)

    response = upload(finance_client, content, name="again.csv")

    assert response.status_code == 302
    assert SettlementReport.objects.count() == 1
    assert SettlementLine.objects.count() == 1
    page = finance_client.get(response["Location"])
    assert "Nothing new: all 1 lines of this file were already uploaded." in page.content.decode()


def test_an_overlapping_file_adds_only_its_new_lines(finance_client: Client, paid: Payment) -> None:
    other = completed_payment(at=timezone.now() - timedelta(days=3))
    upload(finance_client, settlement_csv(payment_line(paid, settlement_date=SETTLED_ON)))

    upload(
        finance_client,
        settlement_csv(
            payment_line(paid, settlement_date=SETTLED_ON),
            payment_line(other, settlement_date=SETTLED_ON),
        ),
    )

    latest = SettlementReport.objects.order_by("-id").first()
    assert latest is not None
    assert (latest.line_count, latest.duplicate_count, latest.amount_paise) == (1, 1, 99800)
    assert SettlementLine.objects.count() == 2


def _problems(content: bytes) -> list[str]:
    with pytest.raises(SettlementFileInvalid) as caught:
        parse_settlement_file(content)
    return caught.value.problems


def _row(**cells: str) -> bytes:
    line = {
        "transaction_id": "OM1", "merchant_order_id": "LL-1-P1", "merchant_refund_id": "",
        "type": "PAYMENT", "amount": "998.00", "fee": "19.96", "tax_on_fee": "3.59",
        "net": "974.45", "transaction_date": "2026-11-27", "settlement_date": "2026-11-30",
        "utr": "UTR1",
    } | cells  # fmt: skip
    return settlement_csv(line)


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ({"type": "CHARGEBACK"}, "type 'CHARGEBACK' is not PAYMENT or REFUND"),
        ({"amount": "1,998.00"}, "amount '1,998.00' is not rupees"),
        ({"fee": "1e2"}, "fee '1e2' is not rupees"),
        ({"net": "974.46"}, "net 974.46 is not amount - fee - tax_on_fee"),
        ({"amount": "-998.00", "net": "-1021.55"}, "a PAYMENT amount must be positive"),
        ({"type": "REFUND", "merchant_refund_id": "R1"}, "a REFUND amount must be negative"),
        ({"type": "REFUND"}, "a REFUND line needs a merchant_refund_id"),
        ({"merchant_order_id": ""}, "a PAYMENT line needs a merchant_order_id"),
        ({"settlement_date": "30/11/2026"}, "settlement_date '30/11/2026' is not an ISO date"),
        ({"settlement_date": "2026-11-26"}, "settlement_date is before transaction_date"),
    ],
)
def test_each_kind_of_bad_line_is_named(cells: dict[str, str], problem: str) -> None:
    [message] = _problems(_row(**cells))

    assert message.startswith("Line 2: ")
    assert problem in message


def test_a_good_line_reads_into_paise_and_dates() -> None:
    [line] = parse_settlement_file(
        b"\xef\xbb\xbf" + _row(transaction_date="2026-11-27T23:10:00+05:30")
    )

    assert (line.amount_paise, line.fee_paise, line.tax_on_fee_paise, line.net_paise) == (
        99800, 1996, 359, 97445,
    )  # fmt: skip
    assert (line.transaction_date, line.settlement_date) == (date(2026, 11, 27), SETTLED_ON)


def test_empty_and_header_only_files_are_refused() -> None:
    assert _problems(b"") == ["The file is empty."]
    assert _problems(",".join(HEADER).encode() + b"\n") == ["The file has a header but no lines."]
    assert _problems(b"\xff\xfe\x00") == ["The file is not UTF-8 text (is it a CSV file?)."]
