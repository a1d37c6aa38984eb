"""The PhonePe adapter's behaviour on the wire, with HTTP faked by `responses` (unit tests only)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from payments.gateways.base import (
    CreatePaymentRequest,
    GatewayAuthError,
    GatewayClientError,
    GatewayError,
    GatewayNotFound,
    GatewayRateLimited,
    GatewayServerError,
    GatewayTimeout,
)
from payments.gateways.phonepe import PhonePeConfig, PhonePeGateway

PG = "https://pg.example/apis/pg"
AUTH = "https://auth.example/apis/identity-manager"
TOKEN_URL = f"{AUTH}/v1/oauth/token"
SECRET = "very-secret-value"


def token_body(access_token: str = "tok-1", lifetime: int = 3600) -> dict[str, object]:
    now = int(time.time())
    return {
        "access_token": access_token,
        "encrypted_access_token": access_token,
        "expires_in": None,
        "issued_at": now,
        "expires_at": now + lifetime,
        "session_expires_at": now + lifetime,
        "token_type": "O-Bearer",
    }


def status_body(state: str = "COMPLETED", mode: str = "UPI_INTENT") -> dict[str, object]:
    return {
        "merchantId": "M1",
        "merchantOrderId": "LL-1-P1-AAAA",
        "orderId": "OMO123",
        "state": state,
        "amount": 149900,
        "payableAmount": 149900,
        "feeAmount": 0,
        "expireAt": 1742457386759,
        "paymentDetails": [
            {
                "transactionId": "OM456",
                "paymentMode": mode,
                "timestamp": 1742284621555,
                "amount": 149900,
                "state": state,
            }
        ],
    }


@pytest.fixture
def gateway() -> PhonePeGateway:
    return PhonePeGateway(
        PhonePeConfig(
            base_url=PG,
            auth_base_url=AUTH,
            client_id="client-1",
            client_version="1",
            client_secret=SECRET,
            timeout=(1.0, 2.0),
        )
    )


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


PAY_REQUEST = CreatePaymentRequest(
    merchant_order_id="LL-1-P1-AAAA",
    amount_paise=149900,
    redirect_url="https://shop.example/payments/return/LL-1-P1-AAAA/",
    expire_after_seconds=900,
    message="Order LL-1",
    phone_number="9876543210",
    meta_info={"udf1": "LL-1"},
)


def test_pay_sends_phonepe_body_with_bearer_token(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(
        TOKEN_URL,
        json=token_body(),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": "client-1",
                    "client_version": "1",
                    "client_secret": SECRET,
                    "grant_type": "client_credentials",
                }
            )
        ],
    )
    pay = http.post(
        f"{PG}/checkout/v2/pay",
        json={
            "orderId": "OMO1",
            "state": "PENDING",
            "expireAt": 1742457386759,
            "redirectUrl": "https://pay/x",
        },
        match=[matchers.header_matcher({"Authorization": "O-Bearer tok-1"})],
    )

    created = gateway.create_payment(PAY_REQUEST)

    assert created.gateway_order_id == "OMO1"
    assert created.redirect_url == "https://pay/x"
    assert created.expires_at == datetime.fromtimestamp(1742457386.759, tz=UTC)
    body = json.loads(pay.calls[0].request.body)
    assert body["merchantOrderId"] == "LL-1-P1-AAAA"
    assert body["amount"] == 149900
    assert isinstance(body["amount"], int)
    assert body["expireAfter"] == 900
    assert body["metaInfo"] == {"udf1": "LL-1"}
    assert body["paymentFlow"]["type"] == "PG_CHECKOUT"
    assert body["paymentFlow"]["merchantUrls"]["redirectUrl"] == PAY_REQUEST.redirect_url
    assert body["prefillUserLoginDetails"] == {"phoneNumber": "9876543210"}


def test_token_is_reused_until_near_expiry(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    token = http.post(TOKEN_URL, json=token_body())
    http.get(f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status", json=status_body())

    for _ in range(3):
        gateway.get_order_status("LL-1-P1-AAAA")

    assert token.call_count == 1


def test_token_is_refreshed_when_close_to_expiry(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    # A 4-second token is refreshed at half-life, so after 2 s a new one is fetched.
    token = http.post(TOKEN_URL, json=token_body(lifetime=4))
    http.get(f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status", json=status_body())

    gateway.get_order_status("LL-1-P1-AAAA")
    gateway._token = gateway._token and type(gateway._token)(
        access_token="old", token_type="O-Bearer",
        issued_at=gateway._token.issued_at - 3, expires_at=gateway._token.expires_at - 3,
    )  # fmt: skip
    gateway.get_order_status("LL-1-P1-AAAA")

    assert token.call_count == 2


def test_a_401_fetches_a_new_token_and_replays_once(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(TOKEN_URL, json=token_body("tok-old"))
    http.post(TOKEN_URL, json=token_body("tok-new"))
    url = f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status"
    http.get(url, status=401, json={"errorCode": "PR004", "message": "Unauthorized"},
             match=[matchers.header_matcher({"Authorization": "O-Bearer tok-old"})])  # fmt: skip
    http.get(
        url,
        json=status_body(),
        match=[matchers.header_matcher({"Authorization": "O-Bearer tok-new"})],
    )

    status = gateway.get_order_status("LL-1-P1-AAAA")

    assert status.state == "COMPLETED"


def test_a_second_401_is_an_auth_error(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(TOKEN_URL, json=token_body())
    status_call = http.get(
        f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status", status=401, json={"message": "Unauthorized"}
    )

    with pytest.raises(GatewayAuthError):
        gateway.get_order_status("LL-1-P1-AAAA")
    assert status_call.call_count == 2


def test_bad_credentials_are_an_auth_error(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(
        TOKEN_URL,
        status=401,
        json={"code": "INVALID_CLIENT", "errorCode": "OIM000", "message": "Bad"},
    )

    with pytest.raises(GatewayAuthError) as caught:
        gateway.create_payment(PAY_REQUEST)
    assert caught.value.code == "OIM000"


@pytest.mark.parametrize(
    ("status", "error", "unknown"),
    [
        (400, GatewayClientError, False),
        (404, GatewayNotFound, False),
        (409, GatewayClientError, False),
        (429, GatewayRateLimited, True),
        (500, GatewayServerError, True),
        (503, GatewayServerError, True),
    ],
)
def test_errors_are_typed(
    gateway: PhonePeGateway,
    http: responses.RequestsMock,
    status: int,
    error: type[GatewayError],
    unknown: bool,
) -> None:
    http.post(TOKEN_URL, json=token_body())
    http.post(f"{PG}/checkout/v2/pay", status=status, json={"code": "X_CODE", "message": "nope"})

    with pytest.raises(error) as caught:
        gateway.create_payment(PAY_REQUEST)
    assert caught.value.outcome_unknown is unknown
    assert caught.value.status == status
    assert caught.value.code == "X_CODE"


def test_a_non_json_error_still_raises_typed(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(TOKEN_URL, json=token_body())
    http.post(f"{PG}/checkout/v2/pay", status=502, body="<html>Bad gateway</html>")

    with pytest.raises(GatewayServerError):
        gateway.create_payment(PAY_REQUEST)


@pytest.mark.parametrize("exc", [requests.ReadTimeout("slow"), requests.ConnectionError("refused")])
def test_timeouts_and_connection_errors_mean_outcome_unknown(
    gateway: PhonePeGateway, http: responses.RequestsMock, exc: Exception
) -> None:
    http.post(TOKEN_URL, json=token_body())
    pay = http.post(f"{PG}/checkout/v2/pay", body=exc)

    with pytest.raises(GatewayTimeout) as caught:
        gateway.create_payment(PAY_REQUEST)
    assert caught.value.outcome_unknown
    assert pay.call_count == 1  # never re-sent blindly


def test_every_call_carries_a_timeout(
    gateway: PhonePeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []

    def fake_request(method: str, url: str, **kwargs: object) -> requests.Response:
        seen.append(kwargs.get("timeout"))
        raise requests.ConnectTimeout("no")

    monkeypatch.setattr(gateway._session, "request", fake_request)
    with pytest.raises(GatewayTimeout):
        gateway.get_order_status("X")
    assert seen == [(1.0, 2.0)]


def test_status_is_parsed_including_wallet_payments(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(TOKEN_URL, json=token_body())
    http.get(
        f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status",
        json=status_body(mode="PPE_INTENT"),
        match=[matchers.query_param_matcher({"details": "true"})],
    )

    status = gateway.get_order_status("LL-1-P1-AAAA")

    assert status.state == "COMPLETED"
    assert status.amount_paise == 149900
    assert status.gateway_order_id == "OMO123"
    assert status.completed_transaction is not None
    assert status.completed_transaction.payment_mode == "PPE_INTENT"
    assert status.completed_transaction.transaction_id == "OM456"


def test_failed_status_carries_error_codes(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    body = status_body(state="FAILED")
    body.update(errorCode="INSUFFICIENT_BALANCE", detailedErrorCode="Z9")
    http.post(TOKEN_URL, json=token_body())
    http.get(f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status", json=body)

    status = gateway.get_order_status("LL-1-P1-AAAA")

    assert (status.state, status.error_code, status.detailed_error_code) == (
        "FAILED",
        "INSUFFICIENT_BALANCE",
        "Z9",
    )


def test_merchant_order_id_is_escaped_in_the_path(
    gateway: PhonePeGateway, http: responses.RequestsMock
) -> None:
    http.post(TOKEN_URL, json=token_body())
    call = http.get(f"{PG}/checkout/v2/order/a%2Fb/status", json=status_body())

    gateway.get_order_status("a/b")

    assert call.call_count == 1


def test_no_secret_or_token_reaches_the_logs(
    gateway: PhonePeGateway, http: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    http.post(TOKEN_URL, json=token_body("tok-sensitive"))
    http.get(f"{PG}/checkout/v2/order/LL-1-P1-AAAA/status", status=401, json={"message": "no"})
    caplog.set_level(logging.DEBUG)

    with pytest.raises(GatewayAuthError):
        gateway.get_order_status("LL-1-P1-AAAA")

    assert caplog.records, "the adapter should log its calls"
    assert SECRET not in caplog.text
    assert "tok-sensitive" not in caplog.text
    assert SECRET not in repr(gateway.config)
