"""Celery tasks: thin, take ids, idempotent, acknowledged after they run (acks_late)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.conf import settings

from payments.gateways.base import GatewayRateLimited, GatewayServerError, GatewayTimeout
from payments.models import Payment, PaymentEvent, Refund, WebhookEvent
from payments.services import receipts, refunds, webhooks
from payments.services.payments import (
    orders_release_overdue,
    payment_refresh,
    payments_claim_due,
)
from payments.services.polling import release_claims

logger = logging.getLogger(__name__)

GATEWAY_RETRYABLE = (GatewayRateLimited, GatewayServerError, GatewayTimeout)
# Tasks that call the gateway retry its 429s, 5xx and timeouts with growing, jittered waits.
GATEWAY_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": GATEWAY_RETRYABLE,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}
# Tasks that send email retry a mail server that is down, for longer.
EMAIL_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(**GATEWAY_TASK)
def reverify_payment(payment_id: int, source: str = PaymentEvent.Source.POLL) -> str:
    """Ask the gateway about one payment and apply the answer (safe to run any number of times).

    A check queued by the sweep is skipped when the payment has settled since (a webhook or an
    earlier check got there first, or the sweep queued it twice behind a long queue): no status
    call for an answer we have. An operator's or a webhook's check always asks.
    """
    try:
        result = payment_refresh(
            payment_id=payment_id, source=source, if_live=source == PaymentEvent.Source.POLL
        )
    except Payment.DoesNotExist:
        logger.warning("payment %s no longer exists; nothing to check", payment_id)
        return "gone"
    return result.payment.state


def _queue_claimed(task: Any, model: type[Payment] | type[Refund], ids: list[int]) -> None:
    for position, pk in enumerate(ids):
        try:
            task.delay(pk)
        except Exception:  # the broker went away mid-sweep: whatever its client raised
            release_claims(model, ids[position:])
            raise


@shared_task(acks_late=True)
def reverify_due_payments() -> dict[str, int]:
    """Beat job: queue a re-verification for every payment whose check is due; expire orders."""
    batch = settings.PAYMENTS_SWEEP_BATCH_SIZE
    payment_ids = payments_claim_due(limit=batch)
    _queue_claimed(reverify_payment, Payment, payment_ids)
    released = orders_release_overdue(limit=batch)
    refund_ids = refunds.refunds_claim_due(limit=batch)
    _queue_claimed(reverify_refund, Refund, refund_ids)
    if payment_ids or released or refund_ids:
        logger.info(
            "sweep: %d payments and %d refunds queued, %d orders expired",
            len(payment_ids),
            len(refund_ids),
            released,
        )
    return {"queued": len(payment_ids), "refunds": len(refund_ids), "released": released}


@shared_task(**EMAIL_TASK)
def send_order_receipt(order_id: int) -> bool:
    """Email the receipt for a paid order, at most once per order."""
    return receipts.order_send_receipt(order_id=order_id)


@shared_task(**{**GATEWAY_TASK, "max_retries": 6})
def process_webhook_event(event_id: int) -> str:
    """Confirm a stored webhook with the status API and apply the answer (once per event)."""
    try:
        return webhooks.webhook_process(event_id=event_id).status
    except (WebhookEvent.DoesNotExist, Payment.DoesNotExist):
        logger.warning("webhook event %s no longer exists; nothing to do", event_id)
        return "gone"


@shared_task(acks_late=True)
def requeue_stale_webhook_events() -> int:
    """Beat job: deliveries stored but never processed (broker down, lost task) are queued again."""
    return webhooks.webhook_events_requeue_stale(limit=settings.PAYMENTS_SWEEP_BATCH_SIZE)


@shared_task(**{**GATEWAY_TASK, "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 8})
def submit_refund(refund_id: int) -> str:
    """Send a requested refund to the gateway (asks first if an earlier send may have arrived)."""
    try:
        return refunds.refund_submit(refund_id=refund_id).state
    except Refund.DoesNotExist:
        return "gone"


@shared_task(**{**GATEWAY_TASK, "retry_backoff": 5, "retry_backoff_max": 120})
def reverify_refund(refund_id: int, source: str = "poll") -> str:
    """Ask the gateway about one refund and apply the answer (a sweep's check of a refund that
    has settled since it was queued is skipped, as for payments)."""
    try:
        result = refunds.refund_refresh(
            refund_id=refund_id, source=source, if_open=source == PaymentEvent.Source.POLL
        )
        return result.refund.state
    except Refund.DoesNotExist:
        return "gone"


@shared_task(**EMAIL_TASK)
def send_refund_email(refund_id: int) -> bool:
    """Tell the customer their refund is complete, at most once per refund."""
    return receipts.refund_send_email(refund_id=refund_id)


@shared_task(acks_late=True)
def send_missing_emails() -> dict[str, int]:
    """Beat job: queue receipts and refund notices whose first task was lost (each sends once)."""
    order_ids, refund_ids = receipts.emails_owed(limit=settings.PAYMENTS_SWEEP_BATCH_SIZE)
    for order_id in order_ids:
        send_order_receipt.delay(order_id)
    for refund_id in refund_ids:
        send_refund_email.delay(refund_id)
    return {"receipts": len(order_ids), "refund_notices": len(refund_ids)}
