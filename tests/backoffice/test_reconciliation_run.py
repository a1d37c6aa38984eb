"""The reconcile command and page: our adapter's real code, the gateway's HTTP faked."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from backoffice.dates import local_today
from payments.models import Payment
from payments.state import PaymentState, RefundState
from tests.backoffice.factories import RefundFactory
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

PG = "https://pg.reconcile.test/apis/pg"
AUTH = "https://auth.reconcile.test/apis/identity-manager"
URL = reverse("backoffice:reconciliation")


@pytest.fixture
def gateway_http(settings: Any) -> Iterator[responses.RequestsMock]:
    # A gateway configuration of its own: get_gateway() builds (and caches) a fresh adapter.
    settings.PHONEPE_BASE_URL = PG
    settings.PHONEPE_AUTH_BASE_URL = AUTH
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        now = int(time.time())
        mock.post(
            f"{AUTH}/v1/oauth/token",
            json={"access_token": "tok", "token_type": "O-Bearer", "expires_at": now + 3600},
        )
        yield mock


def order_status(mock: responses.RequestsMock, payment: Payment, state: str, **extra: Any) -> None:
    amount = extra.pop("amount", payment.amount_paise)
    details = [{"transactionId": "OM1", "paymentMode": "UPI_INTENT", "state": state,
                "amount": amount, "timestamp": int(time.time() * 1000)}]  # fmt: skip
    body = {"merchantOrderId": payment.merchant_order_id, "orderId": "OMO1", "state": state,
            "amount": amount, "paymentDetails": details, **extra}  # fmt: skip
    mock.get(f"{PG}/checkout/v2/order/{payment.merchant_order_id}/status", json=body)


def today() -> str:
    return local_today().isoformat()


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("reconcile", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_a_clean_range_says_so_and_exits_0(gateway_http: responses.RequestsMock) -> None:
    payment = PaymentFactory.create(state=PaymentState.COMPLETED, paid_amount_paise=99800)
    order_status(gateway_http, payment, "COMPLETED")
    refund = RefundFactory.create(payment=payment, state=RefundState.COMPLETED)
    gateway_http.get(
        f"{PG}/payments/v2/refund/{refund.merchant_refund_id}/status",
        json={"merchantRefundId": refund.merchant_refund_id, "state": "COMPLETED",
              "amount": refund.amount_paise},
    )  # fmt: skip

    code, out, _ = run("--from", today(), "--to", today())

    assert code == 0
    assert "checked 1 payments and 1 refunds" in out
    assert "No mismatches: we and the gateway agree on everything checked." in out


def test_mismatches_are_listed_and_exit_1_while_a_500_is_could_not_check(
    gateway_http: responses.RequestsMock,
) -> None:
    pending_here = PaymentFactory.create(state=PaymentState.PENDING)
    order_status(gateway_http, pending_here, "COMPLETED")
    unknown = PaymentFactory.create(state=PaymentState.COMPLETED, paid_amount_paise=99800)
    gateway_http.get(
        f"{PG}/checkout/v2/order/{unknown.merchant_order_id}/status",
        status=404,
        json={"code": "ORDER_NOT_FOUND", "message": "No such order"},
    )
    broken = PaymentFactory.create(state=PaymentState.PENDING)
    gateway_http.get(
        f"{PG}/checkout/v2/order/{broken.merchant_order_id}/status",
        status=500,
        json={"code": "INTERNAL_SERVER_ERROR"},
    )

    code, out, _ = run("--from", today(), "--to", today())

    assert code == 1
    assert "2 mismatches." in out
    assert "1 items could not be checked (gateway errors)." in out
    lines = {line.split()[2]: line for line in out.splitlines()[2:]}
    assert lines[pending_here.merchant_order_id].split()[:1] == ["state"]
    assert "PENDING" in lines[pending_here.merchant_order_id]
    assert lines[unknown.merchant_order_id].startswith("unknown_at_gateway")
    assert lines[broken.merchant_order_id].startswith("could_not_check")
    assert "HTTP 500" in lines[broken.merchant_order_id]


def test_only_gateway_errors_exit_2_and_csv_goes_to_stdout(
    gateway_http: responses.RequestsMock,
) -> None:
    payment = PaymentFactory.create(state=PaymentState.PENDING)
    gateway_http.get(
        f"{PG}/checkout/v2/order/{payment.merchant_order_id}/status",
        body=requests.exceptions.ReadTimeout("slow"),
    )

    code, out, err = run("--from", today(), "--to", today(), "--format", "csv")

    assert code == 2
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["kind"], row["reference"], row["theirs"]) for row in rows] == [
        ("could_not_check", payment.merchant_order_id, "GatewayTimeout")
    ]
    assert "No mismatches among what could be checked." in err


def test_the_cap_stops_the_run_and_says_so(
    gateway_http: responses.RequestsMock, settings: Any
) -> None:
    settings.BACKOFFICE_RECONCILE_MAX_ITEMS = 2
    payments = [PaymentFactory.create(state=PaymentState.PENDING) for _ in range(3)]
    for payment in payments:
        order_status(gateway_http, payment, "PENDING")

    code, out, _ = run("--from", today(), "--to", today())

    assert code == 2
    assert "Stopped at the limit of 2 gateway calls: 1 of 3 items were not checked." in out
    status_calls = [c for c in gateway_http.calls if "/checkout/v2/order/" in str(c.request.url)]
    assert len(status_calls) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-02", "--to", "2026-11-01"), "The start date is after the end date."),
        (("--from", "2025-01-01", "--to", "2026-11-01"), "Choose at most 366 days"),
        (("--from", "yesterday", "--to", "2026-11-01"), "'yesterday' is not a date"),
    ],
)
def test_a_bad_range_is_refused(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("reconcile", *args)


def test_the_page_shows_the_mismatches_and_what_could_not_be_checked(
    gateway_http: responses.RequestsMock, finance_client: Client
) -> None:
    completed_here = PaymentFactory.create(state=PaymentState.COMPLETED, paid_amount_paise=99800)
    order_status(gateway_http, completed_here, "FAILED")
    broken = PaymentFactory.create(state=PaymentState.PENDING)
    gateway_http.get(f"{PG}/checkout/v2/order/{broken.merchant_order_id}/status", status=503)

    response = finance_client.post(URL, {"date_from": today(), "date_to": today()})

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 mismatches." in text
    assert "State differs" in text
    assert completed_here.merchant_order_id in text
    assert "Could not check" in text
    assert "HTTP 503" in text


def test_the_page_says_when_a_range_is_clean(
    gateway_http: responses.RequestsMock, finance_client: Client
) -> None:
    response = finance_client.post(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31"})

    assert response.status_code == 200
    assert "No mismatches: we and the gateway agree on everything checked." in (
        response.content.decode()
    )
    assert len(gateway_http.calls) == 0


def test_the_page_form_refuses_a_reversed_range(finance_client: Client) -> None:
    response = finance_client.post(URL, {"date_from": "2026-01-31", "date_to": "2026-01-01"})

    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
