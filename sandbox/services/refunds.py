"""Refunds of COMPLETED orders, moving forward lazily on status reads (phonepe-v2.md §5).

Same rules as `orders`: changes under the order's (or refund's) row lock, and every move to
CONFIRMED, COMPLETED or FAILED is announced by a webhook recorded in the same transaction.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from sandbox import conf, ids
from sandbox.constants import Outcome
from sandbox.exceptions import BadRequest, Conflict, NotFound
from sandbox.models import AttemptState, OrderState, RefundState, SandboxOrder, SandboxRefund
from sandbox.services import webhooks
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
    row lock. merchantRefundId is database-unique; a repeat with a different body raises
    `Conflict`. Any refusal raises `BadRequest` and writes nothing.
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
                created_at=now,
            )
    except IntegrityError:
        existing = SandboxRefund.objects.filter(
            merchant_refund_id=refund_request.merchant_refund_id
        ).first()
        if existing is None:
            raise
        return _same_refund_or_conflict(existing, refund_request), False
    return refund, True


_REFUND_ORDER = [RefundState.PENDING, RefundState.CONFIRMED, RefundState.COMPLETED]


def _find(merchant_refund_id: str) -> SandboxRefund:
    refund = SandboxRefund.objects.filter(merchant_refund_id=merchant_refund_id).first()
    if refund is None:
        raise NotFound(
            f"No refund with merchantRefundId {merchant_refund_id}.", code="REFUND_NOT_FOUND"
        )
    return refund


def refund_get(*, merchant_refund_id: str, now: datetime | None = None) -> SandboxRefund:
    """The refund as a status read sees it; `NotFound` (REFUND_NOT_FOUND) if unknown.

    The refund moves forward lazily: CONFIRMED and COMPLETED at their scheduled times, and the
    second status read onwards sees it finished, so pollers need no long waits.
    """
    refund = _find(merchant_refund_id)
    now = now or timezone.now()
    with transaction.atomic():
        locked = SandboxRefund.objects.select_for_update().get(pk=refund.pk)
        previous_state = locked.state
        if locked.state in _REFUND_ORDER and locked.state != RefundState.COMPLETED:
            step = _REFUND_ORDER.index(RefundState(locked.state))
            if now >= locked.confirm_at:
                step = max(step, 1)
            if now >= locked.complete_at or locked.status_reads >= 1:
                step = 2
            if step == 2 and locked.settle_outcome == Outcome.FAILURE:
                locked.state = RefundState.FAILED
                locked.error_code = locked.error_code or "INTERNAL_SERVER_ERROR"
                locked.detailed_error_code = locked.detailed_error_code or "TXN_FAILED"
            else:
                locked.state = _REFUND_ORDER[step]
            if locked.state in (RefundState.COMPLETED, RefundState.FAILED):
                locked.finished_at = now
        locked.status_reads += 1
        locked.save()
        if locked.state != previous_state:
            webhooks.refund_event(locked, previous_state=previous_state)
    return locked


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
