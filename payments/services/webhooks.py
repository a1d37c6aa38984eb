"""The webhook ledger: store every authenticated delivery, process each event once.

A webhook is a trigger, never the truth: processing asks the status API (through
`payment_refresh`, the same path as the poller) and applies that answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from payments.gateways.base import (
    GatewayClientError,
    WebhookError,
    WebhookNotice,
    WebhookUnknownEvent,
)
from payments.models import Payment, PaymentEvent, WebhookEvent

logger = logging.getLogger(__name__)
MAX_STORED_BODY = 64 * 1024
# Processing normally starts within a second of receipt; older RECEIVED rows lost their task.
STALE_AFTER = timedelta(seconds=30)
MAX_PROCESSING_ATTEMPTS = 10


@dataclass(frozen=True)
class WebhookReceipt:
    event: WebhookEvent
    duplicate: bool


def _text(raw_body: bytes) -> str:
    # NUL cannot be stored in a PostgreSQL text column; a hostile body must still be kept.
    return raw_body[:MAX_STORED_BODY].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def webhook_record_rejection(
    *, raw_body: bytes, headers: dict[str, str], remote_addr: str | None, error: WebhookError
) -> WebhookEvent:
    """Keep a delivery we cannot act on, for an operator to inspect."""
    return WebhookEvent.objects.create(
        event=error.event if isinstance(error, WebhookUnknownEvent) else "",
        raw_body=_text(raw_body),
        headers=headers,
        remote_addr=remote_addr,
        status=WebhookEvent.Status.REJECTED,
        error=error.message,
        processed_at=timezone.now(),
    )


def webhook_receive(
    *, notice: WebhookNotice, raw_body: bytes, headers: dict[str, str], remote_addr: str | None
) -> WebhookReceipt:
    """Store a delivery and queue its processing after commit; a repeat is only counted.

    Guarantees one row and one processing per dedupe key, even for simultaneous deliveries
    (the key is unique in the database).
    """
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                event=notice.event,
                dedupe_key=notice.dedupe_key,
                payload_state=notice.state,
                merchant_order_id=notice.merchant_order_id,
                merchant_refund_id=notice.merchant_refund_id,
                gateway_order_id=notice.gateway_order_id,
                raw_body=_text(raw_body),
                headers=headers,
                remote_addr=remote_addr,
            )
            transaction.on_commit(lambda: webhook_enqueue(event_id=event.pk))
    except IntegrityError:
        WebhookEvent.objects.filter(dedupe_key=notice.dedupe_key).update(
            duplicate_count=F("duplicate_count") + 1, last_duplicate_at=timezone.now()
        )
        return WebhookReceipt(
            event=WebhookEvent.objects.get(dedupe_key=notice.dedupe_key), duplicate=True
        )
    return WebhookReceipt(event=event, duplicate=False)


def webhook_enqueue(*, event_id: int) -> bool:
    """Queue processing. If the broker is down the row stays RECEIVED and the sweeper retries."""
    from payments.tasks import process_webhook_event

    try:
        process_webhook_event.delay(event_id)
    except Exception:  # any broker failure: the delivery is safe in the ledger
        logger.exception("could not queue webhook event %s; the sweeper will retry", event_id)
        return False
    return True


def webhook_process(*, event_id: int, force: bool = False) -> WebhookEvent:
    """Act on one stored delivery: ask the status API about its payment and apply the answer.

    Idempotent: a processed event is left alone unless `force` (an operator's "process again").
    Raises the gateway's error when the status API's answer is unknown (the task retries).
    """
    event = WebhookEvent.objects.get(pk=event_id)
    if event.status != WebhookEvent.Status.RECEIVED and not force:
        return event
    if event.status == WebhookEvent.Status.REJECTED:
        return event
    WebhookEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1)
    if event.merchant_refund_id:
        return _process_refund_event(event)
    payment = Payment.objects.filter(merchant_order_id=event.merchant_order_id).first()
    if payment is None:
        return _finish(
            event,
            WebhookEvent.Status.IGNORED,
            f"No payment {event.merchant_order_id} in this shop.",
        )
    event.payment = payment
    from payments.services.payments import payment_refresh

    try:
        applied = payment_refresh(payment_id=payment.pk, source=PaymentEvent.Source.WEBHOOK)
    except GatewayClientError as exc:
        return _finish(event, WebhookEvent.Status.FAILED, "", error=exc.message)
    state = applied.payment.state
    result = f"Status API: payment {'now' if applied.changed else 'still'} {state}."
    if event.payload_state and event.payload_state != applied.payment.state:
        result += f" (The webhook said {event.payload_state}; the status API decides.)"
    return _finish(event, WebhookEvent.Status.PROCESSED, result)


def _process_refund_event(event: WebhookEvent) -> WebhookEvent:
    from payments.models import Refund
    from payments.services.refunds import refund_refresh

    refund = Refund.objects.filter(merchant_refund_id=event.merchant_refund_id).first()
    if refund is None:
        return _finish(
            event,
            WebhookEvent.Status.IGNORED,
            f"No refund {event.merchant_refund_id} in this shop.",
        )
    event.payment_id = refund.payment_id
    try:
        applied = refund_refresh(refund_id=refund.pk, source="webhook")
    except GatewayClientError as exc:
        return _finish(event, WebhookEvent.Status.FAILED, "", error=exc.message)
    state = applied.refund.state
    result = f"Status API: refund {'now' if applied.changed else 'still'} {state}."
    if event.payload_state and event.payload_state != state:
        result += f" (The webhook said {event.payload_state}; the status API decides.)"
    return _finish(event, WebhookEvent.Status.PROCESSED, result)


def _finish(event: WebhookEvent, status: str, result: str, *, error: str = "") -> WebhookEvent:
    event.status = status
    event.result = result
    event.error = error
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "result", "error", "processed_at", "payment"])
    return event


def webhook_events_requeue_stale(*, limit: int) -> int:
    """Queue again deliveries stored but never processed (lost task, broker down at receipt)."""
    stale = WebhookEvent.objects.filter(
        status=WebhookEvent.Status.RECEIVED,
        received_at__lte=timezone.now() - STALE_AFTER,
        attempts__lt=MAX_PROCESSING_ATTEMPTS,
    ).values_list("pk", flat=True)[:limit]
    return sum(webhook_enqueue(event_id=pk) for pk in list(stale))
