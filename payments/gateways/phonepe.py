"""PhonePe PG Standard Checkout v2 over `requests`.

Guarantees: an OAuth token is fetched once and reused until shortly before its `expires_at`; a 401
from a PG call forces one new token and one replay (a 401 means the call was not processed);
every call has a (connect, read) timeout; failures come out as the typed errors of
`payments.gateways.base`; tokens and the client secret never reach the logs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from payments.gateways.base import (
    CreatedPayment,
    CreatePaymentRequest,
    GatewayAuthError,
    GatewayClientError,
    GatewayError,
    GatewayNotFound,
    GatewayRateLimited,
    GatewayRefundStatus,
    GatewayServerError,
    GatewayStatus,
    GatewayTimeout,
    GatewayTransaction,
    WebhookAuthError,
    WebhookMalformed,
    WebhookNotice,
    WebhookUnknownEvent,
)

logger = logging.getLogger(__name__)

# Refresh a token this long before it expires (or at half-life, for short-lived tokens).
TOKEN_REFRESH_MARGIN_SECONDS = 300

ORDER_EVENTS = frozenset(
    {"checkout.order.completed", "checkout.order.failed", "checkout.transaction.attempt.failed"}
)
REFUND_EVENTS = frozenset({"pg.refund.accepted", "pg.refund.completed", "pg.refund.failed"})


@dataclass(frozen=True)
class PhonePeConfig:
    base_url: str
    auth_base_url: str
    client_id: str
    client_version: str
    client_secret: str = field(repr=False)
    timeout: tuple[float, float] = (3.0, 10.0)
    webhook_username: str = field(default="", repr=False)
    webhook_password: str = field(default="", repr=False)


@dataclass(frozen=True)
class _Token:
    access_token: str = field(repr=False)
    token_type: str
    issued_at: int
    expires_at: int

    def is_fresh(self, now: float) -> bool:
        lifetime = max(self.expires_at - self.issued_at, 0)
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, lifetime // 2)
        return now < self.expires_at - margin

    @property
    def header(self) -> str:
        return f"{self.token_type} {self.access_token}"


def _from_epoch_ms(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return None


def _as_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise GatewayError(f"Gateway sent a non-integer amount: {value!r}")


class PhonePeGateway:
    name = "phonepe"

    def __init__(self, config: PhonePeConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._token: _Token | None = None
        self._token_lock = threading.Lock()

    # --- public interface -----------------------------------------------------------------------

    def create_payment(self, request: CreatePaymentRequest) -> CreatedPayment:
        payment_flow: dict[str, Any] = {
            "type": "PG_CHECKOUT",
            "message": request.message or None,
            "merchantUrls": {"redirectUrl": request.redirect_url},
        }
        body: dict[str, Any] = {
            "merchantOrderId": request.merchant_order_id,
            "amount": request.amount_paise,
            "expireAfter": request.expire_after_seconds,
            "metaInfo": request.meta_info or None,
            "paymentFlow": payment_flow,
        }
        if request.phone_number:
            body["prefillUserLoginDetails"] = {"phoneNumber": request.phone_number}
        data = self._call("POST", "/checkout/v2/pay", json=body)
        try:
            return CreatedPayment(
                gateway_order_id=str(data["orderId"]),
                state=str(data.get("state") or "PENDING"),
                redirect_url=str(data["redirectUrl"]),
                expires_at=_from_epoch_ms(data.get("expireAt")),
            )
        except KeyError as exc:
            raise GatewayError(f"Pay response lacks {exc.args[0]!r}", body=data) from exc

    def get_order_status(self, merchant_order_id: str) -> GatewayStatus:
        path = f"/checkout/v2/order/{quote(merchant_order_id, safe='')}/status"
        data = self._call("GET", path, params={"details": "true"})
        try:
            transactions = tuple(
                GatewayTransaction(
                    transaction_id=str(item.get("transactionId") or ""),
                    payment_mode=str(item.get("paymentMode") or ""),
                    state=str(item["state"]),
                    amount_paise=_as_int(item.get("amount", 0)),
                    timestamp=_from_epoch_ms(item.get("timestamp")),
                    error_code=str(item.get("errorCode") or ""),
                    detailed_error_code=str(item.get("detailedErrorCode") or ""),
                )
                for item in data.get("paymentDetails") or ()
            )
            return GatewayStatus(
                merchant_order_id=str(data.get("merchantOrderId") or merchant_order_id),
                gateway_order_id=str(data.get("orderId") or ""),
                state=str(data["state"]),
                amount_paise=_as_int(data["amount"]),
                currency="INR",
                expires_at=_from_epoch_ms(data.get("expireAt")),
                transactions=transactions,
                error_code=str(data.get("errorCode") or ""),
                detailed_error_code=str(data.get("detailedErrorCode") or ""),
                raw=data,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise GatewayError(f"Unreadable status response: {exc!r}", body=data) from exc

    def refund(
        self, *, merchant_refund_id: str, original_merchant_order_id: str, amount_paise: int
    ) -> GatewayRefundStatus:
        body = {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": original_merchant_order_id,
            "amount": amount_paise,
        }
        data = self._call("POST", "/payments/v2/refund", json=body)
        try:
            return GatewayRefundStatus(
                merchant_refund_id=merchant_refund_id,
                refund_id=str(data.get("refundId") or ""),
                state=str(data["state"]),
                amount_paise=_as_int(data.get("amount", amount_paise)),
                raw=data,
            )
        except KeyError as exc:
            raise GatewayError("Refund response lacks 'state'", body=data) from exc

    def get_refund_status(self, merchant_refund_id: str) -> GatewayRefundStatus:
        path = f"/payments/v2/refund/{quote(merchant_refund_id, safe='')}/status"
        data = self._call("GET", path)
        try:
            return GatewayRefundStatus(
                merchant_refund_id=str(data.get("merchantRefundId") or merchant_refund_id),
                refund_id=str(data.get("refundId") or ""),
                state=str(data["state"]),
                amount_paise=_as_int(data["amount"]),
                error_code=str(data.get("errorCode") or ""),
                detailed_error_code=str(data.get("detailedErrorCode") or ""),
                raw=data,
            )
        except (KeyError, TypeError) as exc:
            raise GatewayError(f"Unreadable refund status: {exc!r}", body=data) from exc

    def verify_webhook(self, *, authorization: str, raw_body: bytes) -> WebhookNotice:
        """Check the Authorization header first (constant time), then read the body.

        PhonePe sends the lowercase hex SHA-256 of "username:password" as the whole header.
        Raises WebhookAuthError, WebhookMalformed or WebhookUnknownEvent.
        """
        if not self.config.webhook_username or not self.config.webhook_password:
            raise WebhookAuthError("Webhook credentials are not configured.")
        expected = hashlib.sha256(
            f"{self.config.webhook_username}:{self.config.webhook_password}".encode()
        ).hexdigest()
        if not hmac.compare_digest(authorization.strip().lower().encode(), expected.encode()):
            raise WebhookAuthError("Invalid webhook credentials.")
        return parse_webhook(raw_body)

    # --- plumbing -------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = self.config.base_url + path
        for attempt in (1, 2):
            token = self._get_token(force_refresh=attempt == 2)
            headers = {
                "Authorization": token.header,
                "Accept": "application/json",
                "Content-Type": "application/json",
            }
            response = self._send(method, url, json=json, params=params, headers=headers)
            if response.status_code == 401 and attempt == 1:
                logger.info(
                    "phonepe %s %s: 401, fetching a new token and retrying once", method, path
                )
                continue
            return self._parse(response, method, path)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        try:
            response = self._session.request(method, url, timeout=self.config.timeout, **kwargs)
        except requests.Timeout as exc:
            raise GatewayTimeout(f"No answer from the gateway in time ({method} {url})") from exc
        except requests.ConnectionError as exc:
            raise GatewayTimeout(f"Could not reach the gateway ({method} {url})") from exc
        logger.info(
            "phonepe %s %s -> %s in %.0f ms",
            method,
            url.removeprefix(self.config.base_url).removeprefix(self.config.auth_base_url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _parse(self, response: requests.Response, method: str, path: str) -> dict[str, Any]:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if 200 <= status < 300:
            if not isinstance(body, dict):
                raise GatewayError(
                    f"{method} {path}: a 2xx answer without a JSON object", status=status
                )
            return body
        info = body if isinstance(body, dict) else {}
        code = str(info.get("errorCode") or info.get("code") or "")
        message = str(info.get("message") or response.reason or f"HTTP {status}")
        kwargs: dict[str, Any] = {"status": status, "code": code, "body": body}
        text = f"{method} {path}: {status} {code} {message}".strip()
        if status == 429:
            raise GatewayRateLimited(text, **kwargs)
        if status >= 500:
            raise GatewayServerError(text, **kwargs)
        if status in (401, 403):
            raise GatewayAuthError(text, **kwargs)
        if status == 404:
            raise GatewayNotFound(text, **kwargs)
        raise GatewayClientError(text, **kwargs)

    def _get_token(self, *, force_refresh: bool = False) -> _Token:
        with self._token_lock:
            if force_refresh or self._token is None or not self._token.is_fresh(time.time()):
                self._token = self._fetch_token()
            return self._token

    def _fetch_token(self) -> _Token:
        url = self.config.auth_base_url + "/v1/oauth/token"
        form = {
            "client_id": self.config.client_id,
            "client_version": self.config.client_version,
            "client_secret": self.config.client_secret,
            "grant_type": "client_credentials",
        }
        response = self._send(
            "POST",
            url,
            data=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        data = self._parse(response, "POST", "/v1/oauth/token")
        try:
            return _Token(
                access_token=str(data["access_token"]),
                token_type=str(data.get("token_type") or "O-Bearer"),
                issued_at=int(data.get("issued_at") or time.time()),
                expires_at=int(data["expires_at"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayError("Unreadable token response from the gateway") from exc


def _int_or_zero(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def parse_webhook(raw_body: bytes) -> WebhookNotice:
    """Read a PhonePe v2 webhook body leniently (unknown fields are fine), keyed on `event`."""
    try:
        data = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # (absurdly deep nesting)
        raise WebhookMalformed("The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise WebhookMalformed("The body is not a JSON object.")
    event, payload = data.get("event"), data.get("payload")
    if not isinstance(event, str) or not event:
        raise WebhookMalformed("The body has no 'event'.")
    if not isinstance(payload, dict):
        raise WebhookMalformed("The body has no 'payload' object.")
    if event not in ORDER_EVENTS | REFUND_EVENTS:
        raise WebhookUnknownEvent(f"Unknown event {event[:80]!r}.", event=event[:80])
    state = payload.get("state")
    if not isinstance(state, str) or not state or "\x00" in state:
        raise WebhookMalformed("The payload has no 'state'.")
    amount = payload.get("amount")
    amount_paise = amount if isinstance(amount, int) and not isinstance(amount, bool) else None
    details = payload.get("paymentDetails")
    attempts = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    latest = max(attempts, key=lambda d: _int_or_zero(d.get("timestamp")), default={})

    def text(value: Any) -> str:
        # No NUL: PostgreSQL cannot store it in a text column (a 500 instead of a 400).
        return value[:64] if isinstance(value, str) and "\x00" not in value else ""

    if event in REFUND_EVENTS:
        refund_id = text(payload.get("merchantRefundId"))
        if not refund_id:
            raise WebhookMalformed("The refund payload has no 'merchantRefundId'.")
        return WebhookNotice(
            event=event,
            kind="refund",
            state=state[:24],
            merchant_refund_id=refund_id,
            merchant_order_id=text(payload.get("originalMerchantOrderId")),
            amount_paise=amount_paise,
            payload=payload,
        )
    merchant_order_id = text(payload.get("merchantOrderId"))
    if not merchant_order_id:
        raise WebhookMalformed("The order payload has no 'merchantOrderId'.")
    return WebhookNotice(
        event=event,
        kind="order",
        state=state[:24],
        merchant_order_id=merchant_order_id,
        gateway_order_id=text(payload.get("orderId")),
        transaction_id=text(latest.get("transactionId")),
        amount_paise=amount_paise,
        payload=payload,
    )
