"""Refunds: requested by an operator, sent by a task, followed until the gateway settles them.

Rules every function here keeps:
- A Refund row is written and committed (with the amount reserved against the payment) before
  the gateway is called; no lock or transaction is held across the call.
- The sum of refunds that have not failed never exceeds what the payment captured: checked
  under the payment's row lock and enforced by a database constraint.
- A refund whose send had an unknown outcome is never re-sent blindly: the status API is asked
  first, and only a refund the gateway does not know is sent again (same merchant refund id).
- Every observation ends in `refund_apply_status`, which locks the refund, its payment and its
  order (in that order) and accepts only forward transitions of the refund state table.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from payments import signals
from payments.exceptions import PaymentsError
from payments.gateways import get_gateway
from payments.gateways.base import GatewayClientError, GatewayNotFound, GatewayRefundStatus
from payments.models import Order, OrderEvent, OrderLine, Payment, Refund, RefundLine
from payments.money import format_inr
from payments.services.orders import order_set_status
from payments.services.polling import claim_due
from payments.state import OrderStatus, PaymentState, RefundState, refund_transition_allowed

logger = logging.getLogger(__name__)

REFUNDABLE_ORDER_STATUSES = frozenset(
    {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.NEEDS_ATTENTION}
)
MIN_REFUND_PAISE = 100
# After a send with an unknown outcome, wait this long before asking whether it arrived.
SEND_RECHECK = timedelta(seconds=10)


class RefundNotAllowed(PaymentsError):
    message = "This refund cannot be made."


@dataclass(frozen=True)
class RefundLineRequest:
    order_line_id: int
    quantity: int


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    changed: bool


def refund_next_check_delay(age: timedelta) -> timedelta:
    """Refunds settle in seconds in the sandbox and in hours or days for real: ask often at
    first, then less and less."""
    seconds = age.total_seconds()
    if seconds < 60:
        return timedelta(seconds=5)
    if seconds < 600:
        return timedelta(seconds=30)
    if seconds < 3600:
        return timedelta(minutes=2)
    if seconds < 86400:
        return timedelta(minutes=15)
    return timedelta(hours=1)


def refundable_paise(payment: Payment) -> int:
    return max((payment.paid_amount_paise or 0) - payment.refunded_paise, 0)


def refunded_quantities(order: Order) -> dict[int, int]:
    """Units of each order line already given back by refunds that have not failed."""
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .exclude(refund__state=RefundState.FAILED)
        .values("order_line_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["order_line_id"]: row["units"] for row in rows}


def _order_event(order: Order, kind: str, message: str, actor: str = "system") -> None:
    OrderEvent.objects.create(order=order, kind=kind, message=message, actor=actor)


def _actor_name(user: User | None) -> str:
    return user.get_username() if user is not None else "system"


def refund_create(
    *,
    order: Order,
    reason: str,
    requested_by: User | None,
    amount_paise: int | None = None,
    lines: list[RefundLineRequest] | None = None,
    payment: Payment | None = None,
    retry_of: Refund | None = None,
) -> Refund:
    """Reserve and record a refund of an amount, or of order lines, and queue its sending.

    Raises RefundNotAllowed with a message for the operator; nothing changes in that case.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RefundNotAllowed("Give a reason for the refund.")
    if (amount_paise is None) == (not lines):
        raise RefundNotAllowed("Refund either an amount or order lines, not both or neither.")
    payment = payment or _refundable_payment(order)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        if order.status not in REFUNDABLE_ORDER_STATUSES:
            raise RefundNotAllowed(f"Order {order.number} is {order.get_status_display().lower()}.")
        if payment.state != PaymentState.COMPLETED:
            raise RefundNotAllowed(f"Payment {payment.merchant_order_id} did not capture money.")
        line_amounts = _line_amounts(order, lines) if lines else []
        amount = sum(a for _, _, a in line_amounts) if lines else int(amount_paise or 0)
        if amount < MIN_REFUND_PAISE:
            raise RefundNotAllowed(f"A refund must be at least {format_inr(MIN_REFUND_PAISE)}.")
        left = refundable_paise(payment)
        if amount > left:
            raise RefundNotAllowed(
                f"Only {format_inr(left)} of payment {payment.merchant_order_id} can still be "
                f"refunded; {format_inr(amount)} was asked."
            )
        payment.refunded_paise += amount
        try:
            with transaction.atomic():
                payment.save(update_fields=["refunded_paise", "updated_at"])
        except IntegrityError as exc:  # the database's own guard against over-refunding
            raise RefundNotAllowed("That would refund more than was paid.") from exc
        number = payment.refunds.count() + 1
        refund = Refund.objects.create(
            order=order,
            payment=payment,
            merchant_refund_id=f"{payment.merchant_order_id}-R{number}{secrets.token_hex(1).upper()}",
            amount_paise=amount,
            reason=reason,
            requested_by=requested_by if requested_by and requested_by.pk else None,
            requested_by_name=_actor_name(requested_by),
            retry_of=retry_of,
            # A safety net: if the send task is never queued, the sweeper sends it.
            next_check_at=timezone.now() + timedelta(seconds=30),
        )
        RefundLine.objects.bulk_create(
            RefundLine(refund=refund, order_line=line, quantity=quantity, amount_paise=line_amount)
            for line, quantity, line_amount in line_amounts
        )
        _order_event(
            order,
            OrderEvent.Kind.REFUND,
            f"Refund {refund.merchant_refund_id} of {format_inr(amount)} requested: {reason}",
            actor=_actor_name(requested_by),
        )
        refund_id = refund.pk
        transaction.on_commit(lambda: _queue_submit(refund_id))
    return refund


def _queue_submit(refund_id: int) -> None:
    from payments.tasks import submit_refund

    try:
        submit_refund.delay(refund_id)
    except Exception:  # broker down: the refund is safe in the database; the sweeper sends it
        logger.exception("could not queue refund %s; the sweeper will send it", refund_id)


def _refundable_payment(order: Order) -> Payment:
    completed = order.payments.filter(state=PaymentState.COMPLETED).order_by("-completed_at")
    for payment in completed:
        if refundable_paise(payment) > 0:
            return payment
    raise RefundNotAllowed(f"Nothing left to refund on order {order.number}.")


def _line_amounts(order: Order, lines: list[RefundLineRequest]) -> list[tuple[OrderLine, int, int]]:
    by_id = {line.pk: line for line in order.lines.all()}
    already = refunded_quantities(order)
    chosen = []
    for request in lines:
        if request.quantity <= 0:
            continue
        line = by_id.get(request.order_line_id)
        if line is None:
            raise RefundNotAllowed("That line is not part of this order.")
        left = line.quantity - already.get(line.pk, 0)
        if request.quantity > left:
            raise RefundNotAllowed(
                f"Only {left} of {line.product_name} can still be refunded; "
                f"{request.quantity} was asked."
            )
        chosen.append((line, request.quantity, line.unit_price_paise * request.quantity))
    if not chosen:
        raise RefundNotAllowed("Choose at least one unit to refund.")
    return chosen


def refund_retry(*, refund: Refund, requested_by: User | None) -> Refund:
    """A failed refund is tried again as a new refund (new merchant refund id), same lines."""
    if refund.state != RefundState.FAILED:
        raise RefundNotAllowed(f"Refund {refund.merchant_refund_id} has not failed.")
    lines = [RefundLineRequest(line.order_line_id, line.quantity) for line in refund.lines.all()]
    return refund_create(
        order=refund.order,
        payment=refund.payment,
        reason=f"Retry of {refund.merchant_refund_id}: {refund.reason}",
        requested_by=requested_by,
        amount_paise=None if lines else refund.amount_paise,
        lines=lines or None,
        retry_of=refund,
    )


# --- sending ------------------------------------------------------------------------------------


def refund_submit(*, refund_id: int) -> Refund:
    """Send a requested refund to the gateway, once. Safe to run any number of times.

    If an earlier send may have reached the gateway, its status is asked first; only a refund
    the gateway has never heard of is sent (again, with the same merchant refund id).
    Raises the gateway's error when the outcome is unknown (the task retries).
    """
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.state != RefundState.REQUESTED:
        return refund
    gateway = get_gateway()
    if refund.submit_attempts:
        try:
            status = gateway.get_refund_status(refund.merchant_refund_id)
        except GatewayNotFound:
            pass  # it never arrived: sending it is safe
        else:
            return refund_apply_status(refund_id=refund.pk, status=status, source="submit").refund
    now = timezone.now()
    Refund.objects.filter(pk=refund.pk).update(
        submit_attempts=refund.submit_attempts + 1,
        submitted_at=now,
        next_check_at=now + SEND_RECHECK,
    )
    try:
        status = gateway.refund(
            merchant_refund_id=refund.merchant_refund_id,
            original_merchant_order_id=refund.payment.merchant_order_id,
            amount_paise=refund.amount_paise,
        )
    except GatewayClientError as exc:
        refused = GatewayRefundStatus(
            merchant_refund_id=refund.merchant_refund_id,
            refund_id="",
            state="FAILED",
            amount_paise=refund.amount_paise,
            error_code=(exc.code or f"HTTP_{exc.status}")[:64],
            detailed_error_code="REFUSED",
        )
        result = refund_apply_status(
            refund_id=refund.pk, status=refused, source="submit", note=exc.message
        )
        return result.refund
    return refund_apply_status(refund_id=refund.pk, status=status, source="submit").refund


def refund_refresh(
    *, refund_id: int, source: str, actor: str = "", if_open: bool = False
) -> RefundResult:
    """Ask the gateway about a refund (no lock held meanwhile) and apply the answer. With
    `if_open`, a refund that has settled already is left alone, without asking."""
    refund = Refund.objects.get(pk=refund_id)
    if if_open and refund.state not in RefundState.open():
        return RefundResult(refund=refund, changed=False)
    if refund.state == RefundState.REQUESTED:
        # Not (known to be) at the gateway yet: the send task owns it, and asks before resending.
        from payments.tasks import submit_refund

        submit_refund.delay(refund.pk)
        return RefundResult(refund=refund, changed=False)
    status = get_gateway().get_refund_status(refund.merchant_refund_id)
    return refund_apply_status(refund_id=refund_id, status=status, source=source, actor=actor)


# --- applying observations ----------------------------------------------------------------------


def refund_apply_status(
    *, refund_id: int, status: GatewayRefundStatus, source: str, actor: str = "", note: str = ""
) -> RefundResult:
    """Apply one observation of a refund. Locks the refund, its payment, then its order.

    COMPLETED adds the amount to the order's refunded total, moves the order to partially
    refunded or refunded, and queues the customer's email once. FAILED gives the reserved
    amount back to the payment, so the refund can be retried.
    """
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        now = timezone.now()
        refund.last_checked_at = now
        refund.check_count += 1
        if status.refund_id and not refund.gateway_refund_id:
            refund.gateway_refund_id = status.refund_id[:64]
        target = status.state if status.state in RefundState.values else None
        if target is None or not refund_transition_allowed(refund.state, target):
            if refund.is_open:
                refund.next_check_at = now + refund_next_check_delay(now - refund.created_at)
            refund.save()
            return RefundResult(refund=refund, changed=False)
        from_state = refund.state
        refund.state = target
        if target in RefundState.open():
            refund.next_check_at = now + refund_next_check_delay(now - refund.created_at)
        else:
            refund.next_check_at = None
        if target == RefundState.COMPLETED:
            refund.completed_at = now
            _order_after_refund(order, payment, refund)
        elif target == RefundState.FAILED:
            refund.failed_at = now
            refund.error_code = status.error_code[:64]
            refund.detailed_error_code = status.detailed_error_code[:64]
            payment.refunded_paise -= refund.amount_paise
            payment.save(update_fields=["refunded_paise", "updated_at"])
        refund.save()
        if target == RefundState.COMPLETED:
            signals.refund_completed.send(sender=Refund, refund=refund)
        detail = f" ({status.error_code or note})" if target == RefundState.FAILED else ""
        _order_event(
            order,
            OrderEvent.Kind.REFUND,
            f"Refund {refund.merchant_refund_id} {from_state.lower()} -> {target.lower()}{detail}"
            f" [{source}]",
            actor=actor or source,
        )
    return RefundResult(refund=refund, changed=True)


def _order_after_refund(order: Order, payment: Payment, refund: Refund) -> None:
    order.refunded_paise += refund.amount_paise
    order.save(update_fields=["refunded_paise", "updated_at"])
    captured = sum(
        p.paid_amount_paise or 0 for p in order.payments.filter(state=PaymentState.COMPLETED)
    )
    if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        full = order.refunded_paise >= captured
        order_set_status(
            order=order,
            status=OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED,
        )
    from payments.tasks import send_refund_email

    refund_id = refund.pk
    transaction.on_commit(lambda: send_refund_email.delay(refund_id), robust=True)


# --- the poller ---------------------------------------------------------------------------------


def refunds_claim_due(*, limit: int) -> list[int]:
    """Claim open refunds whose next check is due (same claiming rules as payments)."""
    return claim_due(Refund, limit=limit)
