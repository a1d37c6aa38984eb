"""Orders and their payment attempts: create, settle, cancel, expire.

Rules every function here keeps:
- State changes happen under the order's row lock (`select_for_update` in `transaction.atomic`).
- Time-based changes are lazy: whoever reads an order first after a due time (a delayed outcome,
  the expiry) applies and persists them, so reads never depend on a background worker. A Celery
  task is also scheduled for each due time (`schedule`), so the change and its webhook happen on
  time when nobody reads; it applies the same `apply_due`, so whichever comes first wins.
- COMPLETED and FAILED are final; a refused change raises after the lazy updates are committed,
  so a read that discovers an expiry always leaves the order FAILED. The one exception is the
  control API's late success (`ignoreExpiry`), which turns an expired order COMPLETED.
- Every move to COMPLETED or FAILED is announced by a webhook recorded in the same transaction
  (`webhooks.order_event`), lazy ones included.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sandbox import ids
from sandbox.constants import (
    CANCELLED,
    EXPIRED,
    SUPERSEDED,
    ErrorInfo,
    Outcome,
    error_info,
)
from sandbox.exceptions import Conflict, NotFound, OrderClosed, SandboxError
from sandbox.instruments import AttemptSpec
from sandbox.models import (
    AttemptSource,
    AttemptState,
    OrderState,
    SandboxAttempt,
    SandboxOrder,
)
from sandbox.services import schedule, webhooks
from sandbox.validation import PayRequest


def closed_error(order: SandboxOrder) -> OrderClosed:
    if order.state == OrderState.COMPLETED:
        return OrderClosed(f"Order {order.merchant_order_id} is already COMPLETED.")
    return OrderClosed(
        f"Order {order.merchant_order_id} is already FAILED ({order.error_code}).",
    )


def _same_order_or_conflict(order: SandboxOrder, pay_request: PayRequest) -> SandboxOrder:
    if order.request_fingerprint != pay_request.fingerprint():
        raise Conflict(
            f"merchantOrderId {order.merchant_order_id} is already used by an order with a "
            "different request (amount, redirectUrl or other fields differ). "
            "Use a new merchantOrderId for a new payment.",
            code="DUPLICATE_MERCHANT_ORDER_ID",
        )
    return order_refresh(order=order)


def order_create(*, pay_request: PayRequest) -> tuple[SandboxOrder, bool]:
    """Create a PENDING order, or return the existing one for an identical repeat.

    Guarantees one order per merchantOrderId (database-unique, so concurrent duplicates resolve
    to one row). A repeat with the same fingerprint returns `(order, False)`; a repeat with a
    different one raises `Conflict` and changes nothing.
    """
    existing = SandboxOrder.objects.filter(merchant_order_id=pay_request.merchant_order_id).first()
    if existing is not None:
        return _same_order_or_conflict(existing, pay_request), False
    now = timezone.now()
    try:
        with transaction.atomic():
            order = SandboxOrder.objects.create(
                merchant_order_id=pay_request.merchant_order_id,
                order_id=ids.new_order_id(),
                amount_paise=pay_request.amount_paise,
                expire_after_seconds=pay_request.expire_after_seconds,
                expire_at=now + timedelta(seconds=pay_request.expire_after_seconds),
                meta_info=pay_request.meta_info,
                redirect_url=pay_request.redirect_url,
                message=pay_request.message,
                payment_mode_config=pay_request.payment_mode_config,
                disable_payment_retry=pay_request.disable_payment_retry,
                request_fingerprint=pay_request.fingerprint(),
                pay_token=ids.new_pay_token(),
                created_at=now,
            )
            schedule.run_at(schedule.EXPIRE_ORDER, order.order_id, order.expire_at)
    except IntegrityError:
        # Lost a race with an identical (or conflicting) request for the same merchantOrderId.
        existing = SandboxOrder.objects.filter(
            merchant_order_id=pay_request.merchant_order_id
        ).first()
        if existing is None:
            raise
        return _same_order_or_conflict(existing, pay_request), False
    return order, True


def lock_order(pk: int) -> SandboxOrder:
    return SandboxOrder.objects.select_for_update().get(pk=pk)


def _finish_order(
    order: SandboxOrder,
    *,
    state: OrderState,
    at: datetime,
    error: ErrorInfo | None,
    leftover_error: ErrorInfo,
    from_page: bool = False,
) -> None:
    order.state = state
    order.error_code = error.error_code if error else ""
    order.detailed_error_code = error.detailed_error_code if error else ""
    order.finished_at = at
    order.save()
    # Attempts still pending can no longer settle the order.
    for attempt in order.attempts.filter(state=AttemptState.PENDING):
        attempt.state = AttemptState.FAILED
        attempt.error_code = leftover_error.error_code
        attempt.detailed_error_code = leftover_error.detailed_error_code
        attempt.settle_at = None
        attempt.settled_at = at
        attempt.save()
    webhooks.order_event(order, from_page=from_page)


def settle_attempt(
    order: SandboxOrder,
    attempt: SandboxAttempt,
    *,
    outcome: Outcome,
    error: ErrorInfo | None,
    at: datetime,
    from_page: bool = False,
) -> None:
    if outcome == Outcome.PENDING:
        return
    attempt.state = AttemptState.COMPLETED if outcome == Outcome.SUCCESS else AttemptState.FAILED
    attempt.error_code = error.error_code if error else ""
    attempt.detailed_error_code = error.detailed_error_code if error else ""
    attempt.settle_at = None
    attempt.settle_outcome = ""
    attempt.settled_at = at
    attempt.save()
    _finish_order(
        order,
        state=OrderState.COMPLETED if outcome == Outcome.SUCCESS else OrderState.FAILED,
        at=at,
        error=None if outcome == Outcome.SUCCESS else error,
        leftover_error=SUPERSEDED,
        from_page=from_page,
    )


def apply_due(order: SandboxOrder, now: datetime) -> None:
    """Apply delayed outcomes due before the expiry, then the expiry. Caller holds the lock."""
    if order.is_terminal:
        return
    due = order.attempts.filter(
        state=AttemptState.PENDING,
        settle_at__isnull=False,
        settle_at__lte=min(now, order.expire_at),
    ).order_by("settle_at", "id")
    for attempt in due:
        outcome = Outcome(attempt.settle_outcome or Outcome.SUCCESS)
        error = (
            error_info(
                error_code=attempt.error_code, detailed_error_code=attempt.detailed_error_code
            )
            if outcome == Outcome.FAILURE
            else None
        )
        settle_attempt(order, attempt, outcome=outcome, error=error, at=attempt.settle_at or now)
        if order.is_terminal:
            return
    if now >= order.expire_at:
        _finish_order(
            order,
            state=OrderState.FAILED,
            at=order.expire_at,
            error=EXPIRED,
            leftover_error=EXPIRED,
        )


def order_refresh(*, order: SandboxOrder, now: datetime | None = None) -> SandboxOrder:
    """Return the order with everything due by `now` applied and persisted (idempotent)."""
    if order.is_terminal:
        return order
    now = now or timezone.now()
    nothing_due = (
        now < order.expire_at
        and not order.attempts.filter(state=AttemptState.PENDING, settle_at__lte=now).exists()
    )
    if nothing_due:
        # Most reads of a pending order: no write transaction (SQLite serialises those).
        return order
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
    return locked


def order_get(*, merchant_order_id: str) -> SandboxOrder:
    """The order, refreshed; `NotFound` (ORDER_NOT_FOUND) if the merchant never created it."""
    order = SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).first()
    if order is None:
        raise NotFound(
            f"No order with merchantOrderId {merchant_order_id}.", code="ORDER_NOT_FOUND"
        )
    return order_refresh(order=order)


def order_by_pay_token(*, pay_token: str) -> SandboxOrder | None:
    order = SandboxOrder.objects.filter(pay_token=pay_token).first() if pay_token else None
    return order_refresh(order=order) if order is not None else None


def attempt_get(*, transaction_id: str) -> SandboxAttempt:
    attempt = SandboxAttempt.objects.filter(transaction_id=transaction_id).first()
    if attempt is None:
        raise NotFound(
            f"No transaction with transactionId {transaction_id}.", code="TRANSACTION_NOT_FOUND"
        )
    order_refresh(order=attempt.order)
    attempt.refresh_from_db()
    return attempt


def add_attempt(
    order: SandboxOrder, *, spec: AttemptSpec, source: str, now: datetime
) -> SandboxAttempt:
    from_page = source == AttemptSource.PAY_PAGE
    delayed = spec.settle_after_seconds is not None
    attempt = SandboxAttempt.objects.create(
        order=order,
        transaction_id=ids.new_transaction_id(),
        method=spec.method.value,
        payment_mode=spec.payment_mode,
        amount_paise=order.amount_paise,
        instrument=spec.instrument,
        rail=spec.rail,
        split_instruments=spec.split_instruments,
        payer_details=spec.payer_details,
        source=source,
        settle_at=now + timedelta(seconds=spec.settle_after_seconds or 0) if delayed else None,
        settle_outcome=spec.outcome.value if delayed else "",
        # A delayed failure keeps its codes until it settles; the wire shows them only then.
        error_code=spec.error.error_code if delayed and spec.error else "",
        detailed_error_code=spec.error.detailed_error_code if delayed and spec.error else "",
        created_at=now,
    )
    if attempt.settle_at is not None:
        schedule.run_at(schedule.SETTLE_PAYMENT, attempt.transaction_id, attempt.settle_at)
    else:
        settle_attempt(
            order, attempt, outcome=spec.outcome, error=spec.error, at=now, from_page=from_page
        )
    return attempt


def order_pay(*, order: SandboxOrder, spec: AttemptSpec, source: str) -> SandboxAttempt:
    """Record one payment attempt and settle the order as `spec` says, under the order lock.

    Raises `OrderClosed` (changing nothing but due lazy updates) if the order is COMPLETED or
    FAILED, including when it expired just now.
    """
    now = timezone.now()
    problem: SandboxError | None = None
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
        if locked.is_terminal:
            problem = closed_error(locked)
        else:
            attempt = add_attempt(locked, spec=spec, source=source, now=now)
    if problem is not None:
        raise problem
    return attempt


def order_cancel(*, order: SandboxOrder) -> SandboxOrder:
    """The payer gave up on the pay page: FAILED with PAYMENT_CANCELLED / USER_CANCEL.

    Only the pay page calls this, so its webhook counts as a page completion (`before_return`).

    Raises `OrderClosed` if the order is already COMPLETED or FAILED.
    """
    now = timezone.now()
    problem: SandboxError | None = None
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
        if locked.is_terminal:
            problem = closed_error(locked)
        else:
            _finish_order(
                locked,
                state=OrderState.FAILED,
                at=now,
                error=CANCELLED,
                leftover_error=CANCELLED,
                from_page=True,
            )
    if problem is not None:
        raise problem
    return locked


# --- Scheduled and swept moves ----------------------------------------------------------------


def _advance(order: SandboxOrder, due_at: datetime | None, task_name: str, key: str) -> str:
    """Apply what is due now; if the awaited moment is still ahead, wait for it again."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk)
        apply_due(locked, now)
        if not locked.is_terminal and due_at is not None and due_at > now:
            # Ran early (another host's clock, a redelivered message): come back on time.
            schedule.run_at(task_name, key, due_at)
    return str(locked.state)


def order_expire_due(*, order_id: str) -> str:
    """Task body: fail the order by expiry if its expireAt has passed (announcing it).

    Idempotent: a COMPLETED or FAILED order is left alone; an unknown orderId (the row was
    deleted) returns "MISSING". Also applies delayed outcomes due before the expiry, so the
    order ends exactly as a read at this moment would see it. Returns the order's state.
    """
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        return "MISSING"
    if order.is_terminal:
        return str(order.state)
    return _advance(order, order.expire_at, schedule.EXPIRE_ORDER, order_id)


def attempt_settle_due(*, transaction_id: str) -> str:
    """Task body: settle a delayed attempt (slow@ybl) whose time has come, announcing the order.

    Idempotent like `order_expire_due`; "MISSING" for an unknown transactionId. Returns the
    attempt's state afterwards.
    """
    attempt = (
        SandboxAttempt.objects.select_related("order").filter(transaction_id=transaction_id).first()
    )
    if attempt is None:
        return "MISSING"
    if attempt.state == AttemptState.PENDING and not attempt.order.is_terminal:
        _advance(attempt.order, attempt.settle_at, schedule.SETTLE_PAYMENT, transaction_id)
        attempt.refresh_from_db()
    return str(attempt.state)


SWEEP_LIMIT = 500


def orders_refresh_due(*, now: datetime | None = None) -> int:
    """Apply due outcomes and expiries of up to SWEEP_LIMIT pending orders; return how many.

    For reports that must not depend on the Celery worker having run.
    """
    now = now or timezone.now()
    due = (
        SandboxOrder.objects.filter(state=OrderState.PENDING)
        .filter(
            Q(expire_at__lte=now)
            | Q(attempts__state=AttemptState.PENDING, attempts__settle_at__lte=now)
        )
        .distinct()
        .order_by("pk")[:SWEEP_LIMIT]
    )
    count = 0
    for order in due:
        order_refresh(order=order, now=now)
        count += 1
    return count
