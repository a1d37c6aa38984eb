"""Test-control settlements: what a test (or the console) decides instead of the payer.

Same rules as `orders` (row lock, lazy updates first, webhooks with the change); on top of them,
the two time-travel helpers tests need: expire an order now, and succeed after expiry.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sandbox.constants import (
    ERRORS,
    EXPIRED,
    INSUFFICIENT_BALANCE,
    ErrorInfo,
    Method,
    Outcome,
    error_info,
)
from sandbox.exceptions import Conflict, NotFound, SandboxError
from sandbox.instruments import spec_for_method
from sandbox.models import (
    AttemptState,
    OrderState,
    RefundState,
    SandboxAttempt,
    SandboxOrder,
    SandboxRefund,
)
from sandbox.services import schedule
from sandbox.services.orders import (
    add_attempt,
    apply_due,
    closed_error,
    lock_order,
    order_get,
    settle_attempt,
)
from sandbox.validation import CompleteRequest


def order_complete(
    *, merchant_order_id: str, request: CompleteRequest, source: str
) -> SandboxOrder:
    """Settle an order as if the payer had finished on the pay page (control API, console).

    Without a paymentMode, a SUCCESS or FAILURE settles the latest pending attempt if there is
    one; otherwise a new attempt is added (UPI_INTENT by default). Raises `OrderClosed` for an
    order that is already COMPLETED or FAILED, except that `ignore_expiry` with SUCCESS turns an
    order FAILED by expiry (TXN_AUTO_FAILED) COMPLETED: a bank confirming late.
    """
    order = order_get(merchant_order_id=merchant_order_id)
    error = _requested_error(request)
    now = timezone.now()
    problem: SandboxError | None = None
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
        pending = locked.attempts.filter(state=AttemptState.PENDING).order_by("-id").first()
        if locked.is_terminal:
            if request.ignore_expiry and _expired(locked):
                _late_success(locked, method=request.method, source=source, now=now)
            else:
                problem = closed_error(locked)
        elif request.method is None and pending is not None and request.outcome != Outcome.PENDING:
            if request.outcome == Outcome.FAILURE and error is None:
                error = INSUFFICIENT_BALANCE
            settle_attempt(locked, pending, outcome=request.outcome, error=error, at=now)
        else:
            spec = spec_for_method(
                method=request.method or Method.UPI_INTENT,
                amount_paise=locked.amount_paise,
                outcome=request.outcome,
                error=error,
            )
            add_attempt(locked, spec=spec, source=source, now=now)
    if problem is not None:
        raise problem
    return locked


def _expired(order: SandboxOrder) -> bool:
    return (
        order.state == OrderState.FAILED
        and order.detailed_error_code == EXPIRED.detailed_error_code
    )


def _late_success(
    order: SandboxOrder, *, method: Method | None, source: str, now: datetime
) -> None:
    """Settle an expired order SUCCESS: revive the attempt the expiry failed, or add one."""
    if method is None:
        expired = (
            order.attempts.filter(
                state=AttemptState.FAILED, detailed_error_code=EXPIRED.detailed_error_code
            )
            .order_by("-id")
            .first()
        )
        if expired is not None:
            settle_attempt(order, expired, outcome=Outcome.SUCCESS, error=None, at=now)
            return
    spec = spec_for_method(
        method=method or Method.UPI_INTENT,
        amount_paise=order.amount_paise,
        outcome=Outcome.SUCCESS,
    )
    add_attempt(order, spec=spec, source=source, now=now)


def order_expire_now(*, merchant_order_id: str) -> SandboxOrder:
    """Time travel for tests: expireAt becomes now, so the next read fails the order.

    That read applies TXN_AUTO_FAILED and announces checkout.order.failed, as a real expiry
    would; so does the expiry task queued now, if nobody reads. Raises `OrderClosed` if the
    order is already COMPLETED or FAILED.
    """
    order = order_get(merchant_order_id=merchant_order_id)
    now = timezone.now()
    problem: SandboxError | None = None
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
        if locked.is_terminal:
            problem = closed_error(locked)
        else:
            locked.expire_at = now
            locked.save(update_fields=["expire_at", "updated_at"])
            schedule.run_at(schedule.EXPIRE_ORDER, locked.order_id, now)
    if problem is not None:
        raise problem
    return locked


def _requested_error(request: CompleteRequest) -> ErrorInfo | None:
    """The failure codes a test asked for; None means "the method's usual decline"."""
    if request.outcome != Outcome.FAILURE or not (
        request.error_code or request.detailed_error_code
    ):
        return None
    detailed = request.detailed_error_code
    if detailed is None:
        detailed = next(
            (
                info.detailed_error_code
                for info in ERRORS.values()
                if info.error_code == request.error_code
            ),
            "TXN_FAILED",
        )
    known = ERRORS.get(detailed)
    code = request.error_code or (known.error_code if known else "PAYMENT_ERROR")
    return error_info(error_code=code, detailed_error_code=detailed)


def order_backdate(*, merchant_order_id: str, completed_at: datetime) -> SandboxAttempt:
    """Time travel for settlement tests: the order's successful payment completed then.

    Moves only the completion time (the attempt's and the order's), which decides the settlement
    date; the wire's timestamps (creation times) do not change. Raises `Conflict`
    (ORDER_NOT_COMPLETED) unless the order is COMPLETED. Returns the successful attempt.
    """
    order = order_get(merchant_order_id=merchant_order_id)
    with transaction.atomic():
        locked = lock_order(order.pk)
        attempt = locked.attempts.filter(state=AttemptState.COMPLETED).order_by("-id").first()
        if locked.state != OrderState.COMPLETED or attempt is None:
            raise Conflict(
                f"Order {merchant_order_id} is {locked.state}: only a COMPLETED order has a "
                "completion time to move.",
                code="ORDER_NOT_COMPLETED",
            )
        attempt.settled_at = completed_at
        attempt.save(update_fields=["settled_at", "updated_at"])
        locked.finished_at = completed_at
        locked.save(update_fields=["finished_at", "updated_at"])
    return attempt


def refund_backdate(*, merchant_refund_id: str, completed_at: datetime) -> SandboxRefund:
    """Time travel for settlement tests: the refund completed then (see `order_backdate`).

    `NotFound` (REFUND_NOT_FOUND) if unknown; `Conflict` (REFUND_NOT_COMPLETED) unless the
    refund is COMPLETED (read its status first: that completes a due refund).
    """
    with transaction.atomic():
        refund = (
            SandboxRefund.objects.select_for_update()
            .select_related("order")
            .filter(merchant_refund_id=merchant_refund_id)
            .first()
        )
        if refund is None:
            raise NotFound(
                f"No refund with merchantRefundId {merchant_refund_id}.", code="REFUND_NOT_FOUND"
            )
        if refund.state != RefundState.COMPLETED:
            raise Conflict(
                f"Refund {merchant_refund_id} is {refund.state}: only a COMPLETED refund has a "
                "completion time to move.",
                code="REFUND_NOT_COMPLETED",
            )
        refund.finished_at = completed_at
        refund.save(update_fields=["finished_at", "updated_at"])
    return refund
