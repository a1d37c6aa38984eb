"""Fixtures for the sandbox gateway tests: a small PhonePe API client over Django's test Client."""

import itertools
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from sandbox.models import SandboxOrder

API = "/sandbox/pg"
_order_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _sandbox_enabled() -> None:
    if not settings.SANDBOX_ENABLED:
        pytest.skip("the sandbox gateway is switched off in these settings")


def pay_body(merchant_order_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid pay request as the official SDK sends it (explicit nulls for unset fields)."""
    body: dict[str, Any] = {
        "merchantOrderId": merchant_order_id,
        "amount": 149900,
        "metaInfo": {"udf1": "cart:42", "udf11": "user_7"},
        "paymentFlow": {
            "type": "PG_CHECKOUT",
            "message": None,
            "merchantUrls": {"redirectUrl": f"https://shop.example/return/{merchant_order_id}"},
            "paymentModeConfig": None,
        },
        "expireAfter": None,
        "disablePaymentRetry": None,
    }
    body.update(overrides)
    return body


class SandboxApi:
    """What a merchant's server does: fetch a token, then call the PG endpoints with it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._token: str | None = None

    def token_response(self, **form: str) -> Any:
        data = {
            "client_id": settings.SANDBOX_CLIENT_ID,
            "client_secret": settings.SANDBOX_CLIENT_SECRET,
            "client_version": settings.SANDBOX_CLIENT_VERSION,
            "grant_type": "client_credentials",
            **form,
        }
        return self.client.post(f"{API}/v1/oauth/token", data=data)

    @property
    def token(self) -> str:
        if self._token is None:
            response = self.token_response()
            assert response.status_code == 200, response.content
            self._token = response.json()["access_token"]
        return self._token

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"O-Bearer {token or self.token}"}

    body = staticmethod(pay_body)

    def new_order_id(self) -> str:
        return f"T-{next(_order_numbers)}"

    def pay(self, body: dict[str, Any], **extra: Any) -> Any:
        return self.post_json(f"{API}/checkout/v2/pay", body, **extra)

    def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(
            path,
            data=raw,
            content_type="application/json",
            headers=self.auth() if headers is None else headers,
        )

    def create_order(self, merchant_order_id: str | None = None, **overrides: Any) -> str:
        merchant_order_id = merchant_order_id or self.new_order_id()
        response = self.pay(pay_body(merchant_order_id, **overrides))
        assert response.status_code == 200, response.content
        return merchant_order_id

    def status(
        self,
        merchant_order_id: str,
        *,
        details: str | None = None,
        error_context: str | None = None,
    ) -> Any:
        query = {}
        if details is not None:
            query["details"] = details
        if error_context is not None:
            query["errorContext"] = error_context
        return self.client.get(
            f"{API}/checkout/v2/order/{merchant_order_id}/status", query, headers=self.auth()
        )

    def status_body(self, merchant_order_id: str, **flags: str) -> dict[str, Any]:
        response = self.status(merchant_order_id, **flags)
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def complete(self, merchant_order_id: str, **body: Any) -> Any:
        return self.post_json(f"{API}/_control/orders/{merchant_order_id}/complete", body, {})

    def paid_order(self, *, mode: str = "UPI_INTENT", amount: int = 149900) -> str:
        merchant_order_id = self.create_order(amount=amount)
        response = self.complete(merchant_order_id, outcome="SUCCESS", paymentMode=mode)
        assert response.status_code == 200, response.content
        return merchant_order_id

    def refund(self, body: dict[str, Any]) -> Any:
        return self.post_json(f"{API}/payments/v2/refund", body)

    def refund_status(self, merchant_refund_id: str) -> Any:
        return self.client.get(
            f"{API}/payments/v2/refund/{merchant_refund_id}/status", headers=self.auth()
        )

    def pay_page_url(self, merchant_order_id: str) -> str:
        order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)
        return f"/sandbox/pay/?token={order.pay_token}"


@pytest.fixture
def api(client: Client, db: None) -> SandboxApi:
    return SandboxApi(client)
