"""Refunds of COMPLETED orders (phonepe-v2.md §5): PENDING, then CONFIRMED, then COMPLETED.

Same rules as `orders`: changes under the order's (or refund's) row lock, and every move to
CONFIRMED, COMPLETED or FAILED is announced by a webhook recorded in the same transaction.
Refunds move on by time: lazily on status reads, and through the `advance_refund` task queued
for each step, so the webhooks come on time even if the merchant never polls. A refund that a
chaos `refund` rule fails is accepted like any other and ends FAILED at its completion time:
PhonePe refunds fail asynchronously.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from sandbox import conf, ids
from sandbox.constants import Outcome
from sandbox.exceptions import BadRequest, Conflict, NotFound
from sandbox.models import AttemptState, OrderState, RefundState, SandboxOrder, SandboxRefund
from sandbox.services import chaos, schedule, webhooks
from sandbox.services.orders import lock_order, order_refresh
from sandbox.validation import RefundRequest


def _same_refund_or_conflict(refund: SandboxRefund, refund_request: RefundRequest) -> SandboxRefund:
    if refund.request_fingerprint != refund_request.fingerprint():
        raise Conflict(
            f"merchantRefundId {refund.merchant_refund_id} is already used by a refund with a "
            "different order or amount. Use a new merchantRefundId for a new refund.",
            code="DUPLICATE_MERCHANT_REFUND_ID",
        )
    return refund


def refund_create(*, refund_request: RefundRequest) -> tuple[SandboxRefund, bool]:
    """Accept a refund of a COMPLETED order, or return the existing one for an identical repeat.

    The sum of non-failed refunds never exceeds the order amount: it is checked under the order's
    row lock (SQLite: an IMMEDIATE transaction), so of two concurrent refunds for the last rupee
    exactly one is accepted. merchantRefundId is database-unique; a repeat with a different body
    raises `Conflict`. Any refusal raises `BadRequest` and writes nothing (no chaos countdown is
    consumed). An accepted refund is PENDING, with its `advance_refund` task queued on commit.
    """
    existing = SandboxRefund.objects.filter(
        merchant_refund_id=refund_request.merchant_refund_id
    ).first()
    if existing is not None:
        return _same_refund_or_conflict(existing, refund_request), False
    order = SandboxOrder.objects.filter(
        merchant_order_id=refund_request.original_merchant_order_id
    ).first()
    if order is None:
        raise BadRequest(
            f"originalMerchantOrderId {refund_request.original_merchant_order_id} does not exist."
        )
    order = order_refresh(order=order)
    if order.state != OrderState.COMPLETED:
        raise BadRequest(
            f"Order {order.merchant_order_id} is {order.state}: only a COMPLETED order can be "
            "refunded."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = lock_order(order.pk)
            # An identical request that got the lock first is this refund, not an over-refund.
            raced = locked.refunds.filter(
                merchant_refund_id=refund_request.merchant_refund_id
            ).first()
            if raced is not None:
                return _same_refund_or_conflict(raced, refund_request), False
            refunded = (
                locked.refunds.exclude(state=RefundState.FAILED).aggregate(
                    total=Sum("amount_paise")
                )["total"]
                or 0
            )
            if refunded + refund_request.amount_paise > locked.amount_paise:
                raise BadRequest(
                    f"Refund amount {refund_request.amount_paise} exceeds the refundable amount "
                    f"{locked.amount_paise - refunded} of order {locked.merchant_order_id}."
                )
            attempt = locked.attempts.filter(state=AttemptState.COMPLETED).latest("id")
            # Consumed only once the refund is accepted: a refused one leaves the countdown.
            failure = chaos.refund_failure(locked)
            refund = SandboxRefund.objects.create(
                order=locked,
                attempt=attempt,
                merchant_refund_id=refund_request.merchant_refund_id,
                refund_id=ids.new_refund_id(),
                transaction_id=ids.new_refund_id(),
                amount_paise=refund_request.amount_paise,
                request_fingerprint=refund_request.fingerprint(),
                confirm_at=now + timedelta(seconds=conf.refund_confirm_seconds()),
                complete_at=now + timedelta(seconds=conf.refund_complete_seconds()),
                # Hidden until the refund ends FAILED (the wire shows codes only then).
                settle_outcome=Outcome.FAILURE if failure else Outcome.SUCCESS,
                error_code=failure.error_code if failure else "",
                detailed_error_code=failure.detailed_error_code if failure else "",
                created_at=now,
            )
            next_due = _next_due(refund)
            if next_due is not None:
                schedule.run_at(schedule.ADVANCE_REFUND, refund.refund_id, next_due)
    except IntegrityError:
        existing = SandboxRefund.objects.filter(
            merchant_refund_id=refund_request.merchant_refund_id
        ).first()
        if existing is None:
            raise
        return _same_refund_or_conflict(existing, refund_request), False
    return refund, True


_REFUND_ORDER = [RefundState.PENDING, RefundState.CONFIRMED, RefundState.COMPLETED]
_FINAL = (RefundState.COMPLETED, RefundState.FAILED)


def _find(merchant_refund_id: str) -> SandboxRefund:
    refund = SandboxRefund.objects.filter(merchant_refund_id=merchant_refund_id).first()
    if refund is None:
        raise NotFound(
            f"No refund with merchantRefundId {merchant_refund_id}.", code="REFUND_NOT_FOUND"
        )
    return refund


def _apply_due(refund: SandboxRefund, now: datetime, *, read: bool) -> None:
    """Move a locked refund as far as `now` (and, for a status `read`, the read count) allow.

    Saves and announces any change. A refund finished by time is stamped with its scheduled
    completion time, not with whoever noticed, so settlement dates do not depend on readers.
    """
    if refund.state in _FINAL:
        return
    previous_state = refund.state
    step = _REFUND_ORDER.index(RefundState(refund.state))
    if now >= refund.confirm_at:
        step = max(step, 1)
    # The second status read sees the refund finished, so pollers need no long waits.
    if now >= refund.complete_at or (read and refund.status_reads >= 1):
        step = 2
    if step == 2:
        refund.finished_at = min(now, refund.complete_at)
        if refund.settle_outcome == Outcome.FAILURE:
            refund.state = RefundState.FAILED
            # Codes chosen at creation (chaos) are kept; a bare FAILURE gets generic ones.
            refund.error_code = refund.error_code or "INTERNAL_SERVER_ERROR"
            refund.detailed_error_code = refund.detailed_error_code or "TXN_FAILED"
        else:
            refund.state = RefundState.COMPLETED
    else:
        refund.state = _REFUND_ORDER[step]
    if refund.state != previous_state:
        refund.save()
        webhooks.refund_event(
            refund, previous_state=previous_state, confirmed=now >= refund.confirm_at
        )


def _next_due(refund: SandboxRefund) -> datetime | None:
    if refund.state == RefundState.PENDING:
        return min(refund.confirm_at, refund.complete_at)
    if refund.state == RefundState.CONFIRMED:
        return refund.complete_at
    return None


def refund_get(*, merchant_refund_id: str, now: datetime | None = None) -> SandboxRefund:
    """The refund as a status read sees it; `NotFound` (REFUND_NOT_FOUND) if unknown.

    The refund moves forward lazily: CONFIRMED and COMPLETED (or FAILED) at their scheduled
    times, and the second status read onwards sees it finished, so pollers need no long waits.
    """
    refund = _find(merchant_refund_id)
    now = now or timezone.now()
    with transaction.atomic():
        locked = SandboxRefund.objects.select_for_update().get(pk=refund.pk)
        _apply_due(locked, now, read=True)
        locked.status_reads += 1
        locked.save(update_fields=["status_reads", "updated_at"])
    return locked


def refund_advance(*, refund_id: str) -> str:
    """Task body: apply the refund's due steps (webhooks included), then wait for the next one.

    Idempotent: a step already applied (by a read or an earlier run) is not applied or announced
    again, and a finished refund is left alone. An unknown refundId (the row was deleted) returns
    "MISSING". Unlike a status read, it does not count as a read. Returns the refund's state.
    """
    refund = SandboxRefund.objects.filter(refund_id=refund_id).first()
    if refund is None:
        return "MISSING"
    if refund.state in _FINAL:
        return str(refund.state)
    with transaction.atomic():
        locked = SandboxRefund.objects.select_for_update().get(pk=refund.pk)
        _apply_due(locked, timezone.now(), read=False)
        next_due = _next_due(locked)
        if next_due is not None:
            schedule.run_at(schedule.ADVANCE_REFUND, refund_id, next_due)
    return str(locked.state)


SWEEP_LIMIT = 500


def refunds_advance_due(*, now: datetime | None = None) -> int:
    """Finish up to SWEEP_LIMIT refunds whose completion time has passed; return how many.

    For reports that must not depend on the Celery worker having run.
    """
    now = now or timezone.now()
    due = SandboxRefund.objects.filter(
        state__in=(RefundState.PENDING, RefundState.CONFIRMED), complete_at__lte=now
    ).order_by("pk")[:SWEEP_LIMIT]
    count = 0
    for refund in due:
        with transaction.atomic():
            locked = SandboxRefund.objects.select_for_update().get(pk=refund.pk)
            _apply_due(locked, now, read=False)
        count += 1
    return count


def refund_fail(
    *, merchant_refund_id: str, error_code: str, detailed_error_code: str
) -> SandboxRefund:
    """Control API: a refund not yet finished ends FAILED now, with these codes.

    The failed amount becomes refundable again. Raises `Conflict` (REFUND_ALREADY_TERMINAL) for
    a COMPLETED or FAILED refund.
    """
    refund = _find(merchant_refund_id)
    now = timezone.now()
    with transaction.atomic():
        locked = SandboxRefund.objects.select_for_update().get(pk=refund.pk)
        previous_state = locked.state
        if previous_state in (RefundState.COMPLETED, RefundState.FAILED):
            raise Conflict(
                f"Refund {merchant_refund_id} is already {previous_state}.",
                code="REFUND_ALREADY_TERMINAL",
            )
        locked.state = RefundState.FAILED
        locked.error_code = error_code
        locked.detailed_error_code = detailed_error_code
        locked.finished_at = now
        locked.save()
        webhooks.refund_event(locked, previous_state=previous_state)
    return locked
