"""Response bodies exactly as PhonePe shapes them (phonepe-v2.md §3-§5).

Amounts are integer paise, timestamps integer epoch milliseconds, keys camelCase.
"""

from typing import Any

from django.db.models import QuerySet

from sandbox import conf
from sandbox.constants import error_info
from sandbox.models import (
    AttemptState,
    OrderState,
    RefundState,
    SandboxAttempt,
    SandboxOrder,
    SandboxRefund,
)
from sandbox.timeutil import epoch_ms


def pay_body(order: SandboxOrder, *, redirect_url: str) -> dict[str, Any]:
    return {
        "orderId": order.order_id,
        "state": order.state,
        "expireAt": epoch_ms(order.expire_at),
        "redirectUrl": redirect_url,
    }


def attempt_body(attempt: SandboxAttempt) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transactionId": attempt.transaction_id,
        "paymentMode": attempt.payment_mode,
        "timestamp": epoch_ms(attempt.created_at),
        "amount": attempt.amount_paise,
        "payableAmount": attempt.amount_paise,
        "feeAmount": 0,
        "state": attempt.state,
    }
    if attempt.state == AttemptState.FAILED:
        body["errorCode"] = attempt.error_code
        body["detailedErrorCode"] = attempt.detailed_error_code
    body["instrument"] = attempt.instrument
    body["rail"] = attempt.rail
    if attempt.split_instruments:
        body["splitInstruments"] = attempt.split_instruments
    return body


def order_status_body(
    order: SandboxOrder,
    *,
    details: bool,
    error_context: bool,
    attempts: "QuerySet[SandboxAttempt] | None" = None,
) -> dict[str, Any]:
    """The order status body; `details` lists every attempt, else only the latest one."""
    body: dict[str, Any] = {
        "merchantId": conf.merchant_id(),
        "merchantOrderId": order.merchant_order_id,
        "orderId": order.order_id,
        "state": order.state,
        "amount": order.amount_paise,
        "payableAmount": order.amount_paise,
        "feeAmount": 0,
        "expireAt": epoch_ms(order.expire_at),
    }
    if order.meta_info is not None:
        body["metaInfo"] = order.meta_info
    if order.state == OrderState.FAILED:
        body["errorCode"] = order.error_code
        body["detailedErrorCode"] = order.detailed_error_code
        if error_context:
            info = error_info(
                error_code=order.error_code, detailed_error_code=order.detailed_error_code
            )
            body["errorContext"] = {
                "errorCode": info.error_code,
                "detailedErrorCode": info.detailed_error_code,
                "source": info.source,
                "stage": info.stage,
                "description": info.description,
            }
    selected = list(
        attempts if attempts is not None else order.attempts.order_by("created_at", "id")
    )
    if not details:
        selected = selected[-1:]
    body["paymentDetails"] = [attempt_body(attempt) for attempt in selected]
    return body


def refund_body(refund: SandboxRefund) -> dict[str, Any]:
    return {"refundId": refund.refund_id, "amount": refund.amount_paise, "state": refund.state}


def refund_status_body(refund: SandboxRefund) -> dict[str, Any]:
    """The SDK's keys plus the docs' top-level extras (refundId, timestamp, splitInstruments)."""
    attempt = refund.attempt
    failed = refund.state == RefundState.FAILED
    detail: dict[str, Any] = {
        "transactionId": refund.transaction_id,
        "paymentMode": attempt.payment_mode,
        "timestamp": epoch_ms(refund.created_at),
        "amount": refund.amount_paise,
        "state": refund.state,
    }
    if failed:
        detail["errorCode"] = refund.error_code
        detail["detailedErrorCode"] = refund.detailed_error_code
    detail["instrument"] = attempt.instrument
    detail["rail"] = attempt.rail
    body: dict[str, Any] = {
        "merchantId": conf.merchant_id(),
        "merchantRefundId": refund.merchant_refund_id,
        "originalMerchantOrderId": refund.order.merchant_order_id,
        "refundId": refund.refund_id,
        "amount": refund.amount_paise,
        "state": refund.state,
        "timestamp": epoch_ms(refund.created_at),
    }
    if failed:
        body["errorCode"] = refund.error_code
        body["detailedErrorCode"] = refund.detailed_error_code
    body["paymentDetails"] = [detail]
    body["splitInstruments"] = [
        {"amount": refund.amount_paise, "rail": attempt.rail, "instrument": attempt.instrument}
    ]
    return body
