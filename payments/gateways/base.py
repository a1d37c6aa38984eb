"""The gateway interface: plain dataclasses in, plain dataclasses out (no Django models)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


class GatewayError(Exception):
    """The gateway call did not succeed. Subclasses say whether its outcome is known."""

    outcome_unknown = False

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", body: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body


class GatewayClientError(GatewayError):
    """4xx: the gateway refused the request; sending it again unchanged will not help."""


class GatewayNotFound(GatewayClientError):
    """404: the gateway does not know this order or refund."""


class GatewayAuthError(GatewayClientError):
    """401/403 even after a fresh token: our credentials are wrong or revoked."""


class GatewayRateLimited(GatewayError):
    """429: slow down and try again later. The call may or may not have taken effect."""

    outcome_unknown = True


class GatewayServerError(GatewayError):
    """5xx: the gateway failed. The call may or may not have taken effect."""

    outcome_unknown = True


class GatewayTimeout(GatewayError):
    """No answer in time (or no connection): the call may or may not have taken effect."""

    outcome_unknown = True


@dataclass(frozen=True)
class CreatePaymentRequest:
    merchant_order_id: str
    amount_paise: int
    redirect_url: str
    expire_after_seconds: int
    message: str = ""
    phone_number: str = ""
    meta_info: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedPayment:
    gateway_order_id: str
    state: str
    redirect_url: str
    expires_at: datetime | None


@dataclass(frozen=True)
class GatewayTransaction:
    transaction_id: str
    payment_mode: str
    state: str
    amount_paise: int
    timestamp: datetime | None
    error_code: str = ""
    detailed_error_code: str = ""


@dataclass(frozen=True)
class GatewayStatus:
    """What the gateway says about one merchant order."""

    merchant_order_id: str
    gateway_order_id: str
    state: str  # the gateway's own word: PENDING, COMPLETED, FAILED
    amount_paise: int
    currency: str
    expires_at: datetime | None
    transactions: tuple[GatewayTransaction, ...] = ()
    error_code: str = ""
    detailed_error_code: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def latest_transaction(self) -> GatewayTransaction | None:
        if not self.transactions:
            return None
        return max(self.transactions, key=lambda t: t.timestamp or datetime.min.replace(tzinfo=UTC))

    @property
    def completed_transaction(self) -> GatewayTransaction | None:
        return next((t for t in self.transactions if t.state == "COMPLETED"), None)


@dataclass(frozen=True)
class GatewayRefundStatus:
    """What the gateway says about one refund."""

    merchant_refund_id: str
    refund_id: str
    state: str  # PENDING, CONFIRMED, COMPLETED, FAILED
    amount_paise: int
    error_code: str = ""
    detailed_error_code: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


class WebhookError(Exception):
    """A webhook delivery we will not act on; `message` says why (safe to show the sender)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WebhookAuthError(WebhookError):
    """The delivery's credentials are missing or wrong."""


class WebhookMalformed(WebhookError):
    """Not a webhook we can read (not JSON, not an object, required fields missing)."""


class WebhookUnknownEvent(WebhookError):
    """A well-formed delivery of an event this shop does not handle."""

    def __init__(self, message: str, *, event: str) -> None:
        super().__init__(message)
        self.event = event


@dataclass(frozen=True)
class WebhookNotice:
    """What an authenticated webhook claims. A trigger to ask the status API, never the truth."""

    event: str
    kind: str  # "order" or "refund"
    state: str
    merchant_order_id: str = ""
    merchant_refund_id: str = ""
    gateway_order_id: str = ""
    transaction_id: str = ""
    amount_paise: int | None = None
    payload: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dedupe_key(self) -> str:
        """The same event about the same order (or refund) in the same state: one delivery."""
        subject = self.merchant_refund_id or self.gateway_order_id or self.merchant_order_id
        text = f"{self.event}|{subject}|{self.state}|{self.transaction_id}"
        return hashlib.sha256(text.encode()).hexdigest()


class Gateway(Protocol):
    name: str

    def create_payment(self, request: CreatePaymentRequest) -> CreatedPayment: ...

    def get_order_status(self, merchant_order_id: str) -> GatewayStatus: ...

    def verify_webhook(self, *, authorization: str, raw_body: bytes) -> WebhookNotice: ...

    def refund(
        self, *, merchant_refund_id: str, original_merchant_order_id: str, amount_paise: int
    ) -> GatewayRefundStatus: ...

    def get_refund_status(self, merchant_refund_id: str) -> GatewayRefundStatus: ...
