"""Test-control API (like Stripe's test helpers): let a test decide what the payer does, what
the gateway gets wrong (chaos), and when time runs out.

No OAuth: it is only mounted when the sandbox is on, which it never is in production.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sandbox import services, wire
from sandbox.exceptions import NotFound
from sandbox.jsonapi import api_endpoint, json_response
from sandbox.models import AttemptSource, SandboxOrder, SandboxWebhook
from sandbox.services import chaos, settlements, webhooks
from sandbox.timeutil import epoch_ms
from sandbox.validation import (
    parse_backdate_request,
    parse_complete_request,
    parse_json_object,
    parse_refund_fail_request,
    parse_resend_request,
    strict_keys,
)

WEBHOOK_LIST_LIMIT = 100


def _body(request: HttpRequest) -> dict[str, Any]:
    # Control calls without parameters may send no body at all.
    return parse_json_object(request.body or b"{}")


def _order(merchant_order_id: str) -> SandboxOrder:
    order = SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).first()
    if order is None:
        raise NotFound(
            f"No order with merchantOrderId {merchant_order_id}.", code="ORDER_NOT_FOUND"
        )
    return order


def delivery_body(webhook: SandboxWebhook) -> dict[str, Any]:
    """A webhook delivery as the control API reports it."""
    return {
        "id": webhook.pk,
        "event": webhook.event,
        "kind": webhook.kind,
        "state": webhook.state,
        "url": webhook.url,
        "attempts": webhook.attempts,
        "lastStatusCode": webhook.last_status_code,
        "lastError": webhook.last_error,
        "deliverAfter": epoch_ms(webhook.deliver_after),
        "createdAt": epoch_ms(webhook.created_at),
        "deliveredAt": epoch_ms(webhook.delivered_at) if webhook.delivered_at else None,
        "merchantRefundId": webhook.refund.merchant_refund_id if webhook.refund else None,
        "body": webhook.body,
    }


@api_endpoint("POST", auth=False)
def complete_order(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """Settle an order. Body: {"outcome", "paymentMode"?, "errorCode"?, "detailedErrorCode"?,
    "ignoreExpiry"?}.

    Answers the order status body (details=true, errorContext=true); 409 if already terminal
    (unless ignoreExpiry and the order only failed by expiry).
    """
    complete_request = parse_complete_request(parse_json_object(request.body))
    order = services.order_complete(
        merchant_order_id=merchant_order_id,
        request=complete_request,
        source=AttemptSource.CONTROL_API,
    )
    return json_response(wire.order_status_body(order, details=True, error_context=True))


@api_endpoint("POST", auth=False)
def expire_order(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """Make expireAt now: the next read fails the order. Body: none or {}. 409 if terminal."""
    strict_keys(_body(request), ())
    order = services.order_expire_now(merchant_order_id=merchant_order_id)
    return json_response(wire.order_status_body(order, details=True, error_context=True))


@api_endpoint("GET", "POST", "DELETE", auth=False)
def global_chaos(request: HttpRequest) -> HttpResponse:
    """GET the effective global rule; POST a rule to replace the runtime one; DELETE it.

    Sections: webhook {mode, times, delaySeconds}; pay/status/token {errorStatus, errorTimes,
    slowSeconds}; refund {failTimes, errorCode, detailedErrorCode} (the next failTimes accepted
    refunds end FAILED with those codes at their completion time). See services.chaos.
    """
    if request.method == "POST":
        chaos.global_set(rule=chaos.parse_rule(_body(request)))
    elif request.method == "DELETE":
        chaos.global_clear()
    return json_response(chaos.global_describe())


@api_endpoint("GET", "POST", auth=False)
def order_chaos(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """GET the order's own rule and its effective one; POST a rule to replace the order's."""
    order = _order(merchant_order_id)
    if request.method == "POST":
        order = chaos.order_set(order=order, rule=chaos.parse_rule(_body(request)))
    return json_response(chaos.order_describe(order))


@api_endpoint("GET", auth=False)
def order_webhooks(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """The order's webhook deliveries (refund ones included), oldest first."""
    order = _order(merchant_order_id)
    deliveries = order.webhooks.select_related("refund").order_by("created_at", "id")
    return json_response(
        {
            "merchantOrderId": order.merchant_order_id,
            "webhooks": [delivery_body(item) for item in deliveries[:WEBHOOK_LIST_LIMIT]],
        }
    )


@api_endpoint("POST", auth=False)
def resend_webhook(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """Queue the latest (or the named) webhook of the order again. Body: {"event"?}. 202."""
    event = parse_resend_request(_body(request), tuple(webhooks.EVENT_TYPES))
    resent = webhooks.webhook_resend(order=_order(merchant_order_id), event=event)
    return json_response(delivery_body(resent), status=202)


@api_endpoint("POST", auth=False)
def fail_refund(request: HttpRequest, merchant_refund_id: str) -> HttpResponse:
    """End a pending refund FAILED. Body: {"errorCode"?, "detailedErrorCode"?}. 409 if final."""
    error_code, detailed_error_code = parse_refund_fail_request(_body(request))
    refund = services.refund_fail(
        merchant_refund_id=merchant_refund_id,
        error_code=error_code,
        detailed_error_code=detailed_error_code,
    )
    return json_response(wire.refund_status_body(refund))


def _settlement_fields(completed_at: datetime) -> dict[str, Any]:
    on = settlements.local_date(completed_at)
    return {
        "completedAt": epoch_ms(completed_at),
        "transactionDate": on.isoformat(),
        "settlementDate": settlements.settlement_date(on).isoformat(),
    }


@api_endpoint("POST", auth=False)
def backdate_order(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """Move when the order's payment completed (its settlement date follows).
    Body: {"completedAt": epoch ms}. 409 unless the order is COMPLETED."""
    completed_at = parse_backdate_request(_body(request), now=timezone.now())
    attempt = services.order_backdate(
        merchant_order_id=merchant_order_id, completed_at=completed_at
    )
    body = {"merchantOrderId": merchant_order_id, "transactionId": attempt.transaction_id}
    return json_response({**body, **_settlement_fields(completed_at)})


@api_endpoint("POST", auth=False)
def backdate_refund(request: HttpRequest, merchant_refund_id: str) -> HttpResponse:
    """Move when the refund completed. Body: {"completedAt": epoch ms}. 409 unless COMPLETED."""
    completed_at = parse_backdate_request(_body(request), now=timezone.now())
    refund = services.refund_backdate(
        merchant_refund_id=merchant_refund_id, completed_at=completed_at
    )
    body = {
        "merchantRefundId": merchant_refund_id,
        "originalMerchantOrderId": refund.order.merchant_order_id,
        "transactionId": refund.transaction_id,
    }
    return json_response({**body, **_settlement_fields(completed_at)})
