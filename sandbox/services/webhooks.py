"""Webhooks to the merchant (phonepe-v2.md §6): record deliveries, then POST them from Celery.

Guarantees:
- Deliveries are rows written in the same transaction as the state change they announce, and
  queued only after it commits (`transaction.on_commit`), so a rolled-back change sends nothing.
- One EVENT delivery per (order, event) and per (refund, event): a database constraint, so a
  lazy transition found by two readers is still announced once. Chaos copies, stale events and
  resends are other kinds and do not count.
- No request waits on the merchant, except a pay page POST under chaos `before_return`.
- `webhook_deliver` is safe to run any number of times: a DELIVERED, FAILED or DROPPED delivery
  is never sent again, and concurrent runners send each attempt at most once.
"""

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sandbox import conf, ids, wire
from sandbox.constants import Method, Outcome
from sandbox.exceptions import Conflict, NotFound
from sandbox.instruments import spec_for_method
from sandbox.models import (
    AttemptState,
    OrderState,
    RefundState,
    SandboxAttempt,
    SandboxOrder,
    SandboxRefund,
    SandboxWebhook,
    WebhookKind,
    WebhookState,
)
from sandbox.services import chaos

logger = logging.getLogger(__name__)

ORDER_COMPLETED = "checkout.order.completed"
ORDER_FAILED = "checkout.order.failed"
ATTEMPT_FAILED = "checkout.transaction.attempt.failed"
REFUND_ACCEPTED = "pg.refund.accepted"
REFUND_COMPLETED = "pg.refund.completed"
REFUND_FAILED = "pg.refund.failed"
# event -> the deprecated upper-case `type` the SDK still parses.
EVENT_TYPES = {
    ORDER_COMPLETED: "CHECKOUT_ORDER_COMPLETED",
    ORDER_FAILED: "CHECKOUT_ORDER_FAILED",
    ATTEMPT_FAILED: "CHECKOUT_TRANSACTION_ATTEMPT_FAILED",
    REFUND_ACCEPTED: "PG_REFUND_ACCEPTED",
    REFUND_COMPLETED: "PG_REFUND_COMPLETED",
    REFUND_FAILED: "PG_REFUND_FAILED",
}
USER_AGENT = "PhonePe-Sandbox-Webhook/1.0 (loom-and-leaf sandbox gateway)"
TIMEOUT_SECONDS = 5.0
# A reorder's stale event lands this long after the terminal one.
STALE_LAG_SECONDS = 1.0
# While one runner sends, others see the next attempt as not due for this long.
_SENDING_LEASE = timedelta(seconds=TIMEOUT_SECONDS + 10)
_EARLY_TOLERANCE = timedelta(seconds=0.5)
_jitter = secrets.SystemRandom()


def authorization_header() -> str:
    """PhonePe's callback header: bare lowercase hex SHA-256 of "username:password"."""
    username, password = conf.webhook_credentials()
    return hashlib.sha256(f"{username}:{password}".encode()).hexdigest()


def webhook_body(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"event": event, "type": EVENT_TYPES[event], "payload": payload}


def enqueue(webhook_id: int, countdown: float) -> None:
    # Imported here: sandbox.tasks imports this module.
    from sandbox.tasks import deliver_webhook

    deliver_webhook.apply_async(args=(webhook_id,), countdown=max(countdown, 0.0))


def _queue_after_commit(jobs: list[tuple[int, float]]) -> None:
    if not jobs:
        return

    def send() -> None:
        for webhook_id, countdown in jobs:
            enqueue(webhook_id, countdown)

    # robust: a broker hiccup must not turn a committed payment into an error page.
    transaction.on_commit(send, robust=True)


# --- Emission --------------------------------------------------------------------------------


def _stale_attempt_failed(order: SandboxOrder) -> dict[str, Any]:
    """The order as it looked before its end: PENDING, with an older attempt just failed."""
    payload = wire.order_status_body(order, details=True, error_context=False)
    payload["state"] = OrderState.PENDING
    payload.pop("errorCode", None)
    payload.pop("detailedErrorCode", None)
    first = order.attempts.order_by("created_at", "id").first()
    method = Method(first.method) if first is not None else Method.UPI_INTENT
    spec = spec_for_method(method=method, amount_paise=order.amount_paise, outcome=Outcome.FAILURE)
    ghost = SandboxAttempt(
        order=order,
        transaction_id=ids.new_transaction_id(),
        method=spec.method.value,
        payment_mode=spec.payment_mode,
        state=AttemptState.FAILED,
        amount_paise=order.amount_paise,
        instrument=spec.instrument,
        rail=spec.rail,
        split_instruments=spec.split_instruments,
        error_code=spec.error.error_code if spec.error else "PAYMENT_ERROR",
        detailed_error_code=spec.error.detailed_error_code if spec.error else "TXN_FAILED",
        created_at=order.created_at,
    )
    payload["paymentDetails"] = [wire.attempt_body(ghost)]
    return payload


def _refund_payload(refund: SandboxRefund, *, as_state: str | None = None) -> dict[str, Any]:
    payload = wire.refund_status_body(refund)
    if as_state is not None and as_state != payload["state"]:
        # A refund that jumped ahead in one read still announces the step it skipped.
        payload["state"] = as_state
        payload.pop("errorCode", None)
        payload.pop("detailedErrorCode", None)
        for detail in payload["paymentDetails"]:
            detail["state"] = as_state
            detail.pop("errorCode", None)
            detail.pop("detailedErrorCode", None)
    return payload


def _emit(
    *,
    order: SandboxOrder,
    refund: SandboxRefund | None,
    event: str,
    payload: dict[str, Any],
    from_page: bool = False,
    stale: Callable[[], tuple[str, dict[str, Any]]] | None = None,
) -> None:
    if not conf.webhook_url():
        return  # webhooks switched off (SANDBOX_WEBHOOK_URL="")
    plan = chaos.webhook_plan(order)
    now = timezone.now()
    delay = plan.delay_seconds
    inline = plan.mode == "before_return" and from_page

    def row(kind: str, name: str, body: dict[str, Any], after: float) -> SandboxWebhook:
        return SandboxWebhook.objects.create(
            order=order,
            refund=refund,
            event=name,
            kind=kind,
            body=body,
            url=conf.webhook_url(),
            state=WebhookState.DROPPED if plan.mode == "drop" else WebhookState.SCHEDULED,
            deliver_inline=inline,
            deliver_after=now + timedelta(seconds=after),
            created_at=now,
        )

    try:
        # A savepoint: losing the race to the unique constraint must not break the caller.
        with transaction.atomic():
            first = row(WebhookKind.EVENT, event, webhook_body(event, payload), delay)
    except IntegrityError:
        return
    if plan.mode == "drop":
        return
    rows = [first]
    if plan.mode == "duplicate":
        body = first.body
        rows += [row(WebhookKind.COPY, event, body, delay) for _ in range(plan.times - 1)]
    countdowns = {first.pk: delay}
    if plan.mode == "reorder" and stale is not None:
        stale_event, stale_payload = stale()
        lag = delay + STALE_LAG_SECONDS
        late = row(WebhookKind.STALE, stale_event, webhook_body(stale_event, stale_payload), lag)
        rows.append(late)
        countdowns[late.pk] = lag
    _queue_after_commit(
        [(item.pk, countdowns.get(item.pk, delay)) for item in rows if not item.deliver_inline]
    )


def order_event(order: SandboxOrder, *, from_page: bool = False) -> None:
    """Announce that `order` just became COMPLETED or FAILED.

    Call inside the transaction holding the order's row lock, after the change is saved.
    `from_page` marks the pay page's own POST (chaos `before_return` sends inline then).
    """
    event = ORDER_COMPLETED if order.state == OrderState.COMPLETED else ORDER_FAILED
    existing = SandboxWebhook.objects.filter(
        order=order, refund__isnull=True, event=event, kind=WebhookKind.EVENT
    )
    if existing.exists():
        return
    _emit(
        order=order,
        refund=None,
        event=event,
        payload=wire.order_status_body(order, details=True, error_context=False),
        from_page=from_page,
        stale=lambda: (ATTEMPT_FAILED, _stale_attempt_failed(order)),
    )


def refund_event(refund: SandboxRefund, *, previous_state: str, confirmed: bool = False) -> None:
    """Announce a refund's move from `previous_state` to its current state (same rules).

    `confirmed` says a refund that went from PENDING straight to FAILED passed its confirmation
    time on the way, so it was accepted first and is announced so.
    """
    order = refund.order
    moved_on = refund.state in (RefundState.CONFIRMED, RefundState.COMPLETED) or (
        refund.state == RefundState.FAILED and confirmed
    )
    if moved_on and previous_state == RefundState.PENDING:
        payload = _refund_payload(refund, as_state=RefundState.CONFIRMED)
        _emit(order=order, refund=refund, event=REFUND_ACCEPTED, payload=payload)
    terminal = {RefundState.COMPLETED: REFUND_COMPLETED, RefundState.FAILED: REFUND_FAILED}
    event = terminal.get(RefundState(refund.state))
    if event is not None:
        _emit(
            order=order,
            refund=refund,
            event=event,
            payload=_refund_payload(refund),
            stale=lambda: (
                REFUND_ACCEPTED,
                _refund_payload(refund, as_state=RefundState.CONFIRMED),
            ),
        )


def webhook_resend(*, order: SandboxOrder, event: str | None = None) -> SandboxWebhook:
    """Queue a new delivery of the latest (or the latest `event`) webhook of the order.

    The body is replayed as first sent; chaos does not apply. `NotFound` if there is none,
    `Conflict` (WEBHOOKS_OFF) if SANDBOX_WEBHOOK_URL is empty.
    """
    if not conf.webhook_url():
        raise Conflict(
            "Webhooks are switched off: SANDBOX_WEBHOOK_URL is empty.", code="WEBHOOKS_OFF"
        )
    candidates = order.webhooks.all()
    if event is not None:
        candidates = candidates.filter(event=event)
    # Prefer the real announcement over chaos copies and stale events.
    latest = (
        candidates.filter(kind=WebhookKind.EVENT).order_by("-created_at", "-id").first()
        or candidates.order_by("-created_at", "-id").first()
    )
    if latest is None:
        what = f"no {event} webhook" if event else "no webhook"
        raise NotFound(
            f"Order {order.merchant_order_id} has {what} to resend.", code="WEBHOOK_NOT_FOUND"
        )
    with transaction.atomic():
        resent = SandboxWebhook.objects.create(
            order=latest.order,
            refund=latest.refund,
            event=latest.event,
            kind=WebhookKind.RESEND,
            body=latest.body,
            url=conf.webhook_url(),
        )
        _queue_after_commit([(resent.pk, 0.0)])
    return resent


# --- Delivery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    error: str


def _post(webhook: SandboxWebhook) -> _Answer:
    data = json.dumps(webhook.body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Authorization": authorization_header(),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        # No redirects: requests would turn a redirected POST into a GET without the body.
        response = requests.post(
            webhook.url, data=data, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as error:
        return _Answer(None, f"{type(error).__name__}: {error}"[:1000])
    if 200 <= response.status_code < 300:
        return _Answer(response.status_code, "")
    detail = response.headers.get("Location") or response.text
    return _Answer(response.status_code, f"HTTP {response.status_code}: {detail}"[:1000])


def retry_delay(attempt: int) -> float:
    """Seconds before the attempt after `attempt` (1-based): base * 2^(attempt-1), +<=10% jitter."""
    delay = conf.webhook_retry_base_seconds() * 2 ** (attempt - 1)
    return delay + _jitter.uniform(0, delay / 10)


def webhook_deliver(*, webhook_id: int) -> str:
    """Make the next attempt of a delivery now; return its state afterwards.

    Sends nothing if the delivery is DELIVERED, FAILED or DROPPED, or if a retry is not due yet
    (a repeated task message). The attempt is claimed by a conditional UPDATE, so two runners
    never send the same attempt. A non-2xx answer, a timeout or a connection error queues the
    next attempt after `retry_delay`, until SANDBOX_WEBHOOK_MAX_ATTEMPTS, then FAILED.
    """
    webhook = SandboxWebhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        return "MISSING"
    now = timezone.now()
    if webhook.state != WebhookState.SCHEDULED:
        return webhook.state
    if webhook.attempts > 0 and webhook.deliver_after > now + _EARLY_TOLERANCE:
        return webhook.state
    claimed = SandboxWebhook.objects.filter(
        pk=webhook.pk, state=WebhookState.SCHEDULED, attempts=webhook.attempts
    ).update(attempts=F("attempts") + 1, deliver_after=now + _SENDING_LEASE, updated_at=now)
    if not claimed:
        return WebhookState.SCHEDULED
    attempt = webhook.attempts + 1
    answer = _post(webhook)
    done_at = timezone.now()
    fields: dict[str, Any] = {
        "last_status_code": answer.status_code,
        "last_error": answer.error,
        "updated_at": done_at,
    }
    retry_in = None
    if not answer.error:
        fields.update(state=WebhookState.DELIVERED, delivered_at=done_at)
    elif attempt >= conf.webhook_max_attempts():
        fields.update(state=WebhookState.FAILED)
        logger.warning("Sandbox webhook %s gave up after %s attempts", webhook.pk, attempt)
    else:
        retry_in = retry_delay(attempt)
        fields.update(deliver_after=done_at + timedelta(seconds=retry_in))
    SandboxWebhook.objects.filter(pk=webhook.pk).update(**fields)
    if retry_in is not None:
        enqueue(webhook.pk, retry_in)
    return str(fields.get("state", WebhookState.SCHEDULED))


def deliver_inline(*, order: SandboxOrder) -> None:
    """Send the order's `before_return` deliveries now, inside the pay page request."""
    pending = order.webhooks.filter(state=WebhookState.SCHEDULED, deliver_inline=True, attempts=0)
    for webhook_id in pending.order_by("id").values_list("pk", flat=True):
        webhook_deliver(webhook_id=webhook_id)
