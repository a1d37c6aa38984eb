"""Starting payments and applying what the gateway says about them.

Rules every function here keeps:
- No database lock or transaction is held across an HTTP call to the gateway: the intent is
  written and committed, the gateway is called, then the answer is applied under a lock.
- Every observation of a payment (pay call, shopper's return, webhook, poller, operator) ends in
  `payment_apply_status`, which locks the Payment row, then its Order (always in that order),
  and accepts only the forward transitions of payments/state.py. Applying the same observation
  twice changes nothing the second time.
- Side effects (the receipt email) are queued with `transaction.on_commit`, once per order.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ops.logcontext import bind_order
from payments.exceptions import OrderNotPayable, PaymentUnavailable
from payments.gateways import get_gateway
from payments.gateways.base import (
    CreatedPayment,
    CreatePaymentRequest,
    GatewayError,
    GatewayNotFound,
    GatewayStatus,
)
from payments.models import Order, Payment, PaymentEvent
from payments.money import format_inr
from payments.services.orders import order_set_status
from payments.services.polling import claim_due
from payments.state import (
    OrderStatus,
    PaymentState,
    next_check_delay,
    payment_state_for_gateway,
    payment_transition_allowed,
)

logger = logging.getLogger(__name__)
Source = PaymentEvent.Source

# A payment row whose pay call has not been answered is checked this soon, so a timed-out call
# is resolved from the status API quickly.
UNKNOWN_OUTCOME_RECHECK = timedelta(seconds=5)
# A pending payment whose shopper is on our pending page is checked at least this often.
SHOPPER_WAITING_RECHECK = timedelta(seconds=3)


@dataclass(frozen=True)
class ApplyResult:
    payment: Payment
    changed: bool


def _record_event(
    payment: Payment,
    *,
    source: str,
    from_state: str = "",
    to_state: str = "",
    gateway_state: str = "",
    message: str = "",
    raw: dict | None = None,
    actor: str = "",
) -> None:
    PaymentEvent.objects.create(
        payment=payment,
        source=source,
        from_state=from_state,
        to_state=to_state,
        gateway_state=gateway_state,
        message=message,
        raw=raw,
        actor=actor,
    )


# --- starting a payment --------------------------------------------------------------------------


def _new_merchant_order_id(order: Order, attempt: int) -> str:
    # Fresh per attempt, and random enough never to repeat after a database restore.
    return f"{order.number}-P{attempt}-{secrets.token_hex(2).upper()}"


def payment_start(*, order: Order, site_url: str) -> Payment:
    """Start paying for `order` (or resume a live attempt) and return the Payment to redirect to.

    Guarantees: the Payment row is committed before the gateway is called, so a crash or timeout
    leaves a CREATED row that the poller resolves from the status API; the same merchant order
    id is never sent twice. Raises OrderNotPayable, or PaymentUnavailable when the gateway cannot
    start the payment (nothing was charged; the order stays payable).
    """
    bind_order(order)  # the rest of this request's (or task's) log lines are about this order
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not order.is_payable:
            raise OrderNotPayable()
        # A live attempt with time left: send the shopper back to its page, do not open another.
        resumable = (
            order.payments.filter(
                state=PaymentState.PENDING, expires_at__gt=now + timedelta(minutes=1)
            )
            .exclude(redirect_url="")
            .order_by("-created_at")
            .first()
        )
        if resumable is not None:
            return resumable
        attempt = order.payments.count() + 1
        payment = Payment.objects.create(
            order=order,
            gateway=settings.PAYMENTS_GATEWAY,
            merchant_order_id=_new_merchant_order_id(order, attempt),
            amount_paise=order.total_paise,
            currency=order.currency,
            next_check_at=now + timedelta(seconds=30),
        )
        order_set_status(order=order, status=OrderStatus.PENDING_PAYMENT)
        hold_until = now + timedelta(
            seconds=settings.PHONEPE_EXPIRE_AFTER_SECONDS + settings.PAYMENTS_EXPIRY_GRACE_SECONDS
        )
        if order.reserved_until < hold_until:
            order.reserved_until = hold_until
            order.save(update_fields=["reserved_until", "updated_at"])

    return_url = site_url.rstrip("/") + reverse(
        "payments:return", kwargs={"merchant_order_id": payment.merchant_order_id}
    )
    request = CreatePaymentRequest(
        merchant_order_id=payment.merchant_order_id,
        amount_paise=payment.amount_paise,
        redirect_url=return_url,
        expire_after_seconds=settings.PHONEPE_EXPIRE_AFTER_SECONDS,
        message=f"Order {order.number}",
        phone_number=order.phone,
        meta_info={"udf1": order.number},
    )
    try:
        created = get_gateway().create_payment(request)
    except GatewayError as exc:
        _payment_record_start_failure(payment_id=payment.pk, error=exc)
        raise PaymentUnavailable() from exc
    return _payment_record_created(payment_id=payment.pk, created=created)


def _payment_record_created(*, payment_id: int, created: CreatedPayment) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        payment.gateway_order_id = created.gateway_order_id
        payment.redirect_url = created.redirect_url
        payment.expires_at = created.expires_at
        from_state = payment.state
        if payment.state == PaymentState.CREATED:
            payment.state = PaymentState.PENDING
        payment.next_check_at = payment.created_at + next_check_delay(timedelta(0))
        payment.save()
        _record_event(
            payment,
            source=Source.CHECKOUT,
            from_state=from_state,
            to_state=payment.state,
            gateway_state=created.state,
            message=f"Gateway order {created.gateway_order_id} created; shopper sent to pay.",
        )
    return payment


def _payment_record_start_failure(*, payment_id: int, error: GatewayError) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if error.outcome_unknown:
            # The gateway may have created the order. Leave it CREATED; the poller asks soon.
            payment.next_check_at = timezone.now() + UNKNOWN_OUTCOME_RECHECK
            payment.save(update_fields=["next_check_at", "updated_at"])
            _record_event(
                payment,
                source=Source.CHECKOUT,
                message=f"Pay call outcome unknown ({error.message}); will check its status.",
            )
            logger.warning("pay call outcome unknown for %s: %s", payment, error.message)
            return
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment.error_code = error.code[:64]
        _transition(
            payment,
            order,
            PaymentState.FAILED,
            source=Source.CHECKOUT,
            message=f"Gateway refused the pay call: {error.message}",
        )
        logger.error("gateway refused the pay call for %s: %s", payment, error.message)


# --- applying observations ----------------------------------------------------------------------


def payment_apply_status(
    *, payment_id: int, status: GatewayStatus, source: str, actor: str = ""
) -> ApplyResult:
    """Apply one observation of the gateway's order state to our Payment and Order.

    Locks the Payment, then its Order. Only forward transitions are taken; anything else (the
    same state again, an older state, a state we do not know) only records that we checked.
    A completion is checked against what the order asked for: a different amount or currency,
    a second successful payment, or a payment after the order gave its stock back puts the
    order in NEEDS_ATTENTION with the reason. The receipt email is queued after commit, once.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        now = timezone.now()
        payment.last_checked_at = now
        payment.check_count += 1
        payment.gateway_attempts = min(len(status.transactions), 32767)
        if not payment.gateway_order_id and status.gateway_order_id:
            payment.gateway_order_id = status.gateway_order_id
        if payment.expires_at is None and status.expires_at is not None:
            payment.expires_at = status.expires_at

        target = payment_state_for_gateway(status.state, status.detailed_error_code)
        message = ""
        grace = timedelta(seconds=settings.PAYMENTS_EXPIRY_GRACE_SECONDS)
        if (
            target == PaymentState.PENDING
            and payment.expires_at is not None
            and now > payment.expires_at + grace
        ):
            target = PaymentState.EXPIRED
            message = "Still pending at the gateway long after its expiry; stopped waiting."

        if target is None or not payment_transition_allowed(payment.state, target):
            if payment.is_live:
                payment.next_check_at = now + next_check_delay(now - payment.created_at)
            payment.save()
            return ApplyResult(payment=payment, changed=False)

        txn = status.completed_transaction or status.latest_transaction
        if txn is not None:
            payment.payment_mode = txn.payment_mode
            payment.gateway_transaction_id = txn.transaction_id
        if target in (PaymentState.FAILED, PaymentState.EXPIRED):
            payment.error_code = (status.error_code or (txn.error_code if txn else ""))[:64]
            payment.detailed_error_code = (
                status.detailed_error_code or (txn.detailed_error_code if txn else "")
            )[:64]
        if target == PaymentState.COMPLETED:
            payment.paid_amount_paise = txn.amount_paise if txn else status.amount_paise
            payment.completed_at = now
            if payment.state in PaymentState.terminal():
                message = (
                    f"The gateway now reports this {payment.get_state_display().lower()} "
                    "payment as completed: the money was taken."
                )
        _transition(
            payment,
            order,
            target,
            source=source,
            gateway_state=status.state,
            message=message,
            raw=status.raw or None,
            actor=actor,
            observed_currency=status.currency,
        )
    return ApplyResult(payment=payment, changed=True)


def _transition(
    payment: Payment,
    order: Order,
    target: str,
    *,
    source: str,
    gateway_state: str = "",
    message: str = "",
    raw: dict | None = None,
    actor: str = "",
    observed_currency: str = "",
) -> None:
    """Move a locked payment to `target`, record it, and update its locked order."""
    from_state = payment.state
    payment.state = target
    now = timezone.now()
    if target in PaymentState.terminal():
        payment.next_check_at = None
    else:
        payment.next_check_at = now + next_check_delay(now - payment.created_at)
    payment.save()
    _record_event(
        payment,
        source=source,
        from_state=from_state,
        to_state=target,
        gateway_state=gateway_state,
        message=message,
        raw=raw,
        actor=actor,
    )
    if target == PaymentState.COMPLETED:
        _order_after_completion(payment, order, observed_currency or payment.currency)
    elif target in (PaymentState.FAILED, PaymentState.EXPIRED):
        _order_after_failure(payment, order)


def _order_after_completion(payment: Payment, order: Order, currency: str) -> None:
    paid = payment.paid_amount_paise
    problems = []
    if paid != order.total_paise or paid != payment.amount_paise:
        problems.append(
            f"Payment {payment.merchant_order_id} captured {format_inr(paid or 0)} "
            f"but the order total is {format_inr(order.total_paise)}."
        )
    if currency != order.currency:
        problems.append(
            f"Payment {payment.merchant_order_id} was in {currency}, the order in {order.currency}."
        )
    if order.status in (
        OrderStatus.PAID,
        OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.REFUNDED,
    ):
        problems.append(
            f"A second successful payment ({payment.merchant_order_id}) for an order already "
            "paid: refund one of them."
        )
    elif order.status in OrderStatus.released():
        problems.append(
            f"Payment {payment.merchant_order_id} completed after the order was "
            f"{order.get_status_display().lower()} and its stock released: fulfil or refund."
        )
    if problems:
        order_set_status(order=order, status=OrderStatus.NEEDS_ATTENTION, reason=" ".join(problems))
        return
    if order_set_status(order=order, status=OrderStatus.PAID):
        from payments.tasks import send_order_receipt

        order_id = order.pk
        # robust: a broker that is down must not turn the shopper's paid page into a 500 (the
        # payment is committed by now); the failure is logged.
        transaction.on_commit(lambda: send_order_receipt.delay(order_id), robust=True)


def _order_after_failure(payment: Payment, order: Order) -> None:
    others_live = order.payments.exclude(pk=payment.pk).filter(state__in=PaymentState.live())
    if order.status == OrderStatus.PENDING_PAYMENT and not others_live.exists():
        order_set_status(order=order, status=OrderStatus.PAYMENT_FAILED)


# --- asking the gateway -------------------------------------------------------------------------


def payment_refresh(
    *, payment_id: int, source: str, actor: str = "", if_live: bool = False
) -> ApplyResult:
    """Ask the gateway for the payment's state (no lock held meanwhile) and apply the answer.

    A payment the gateway has never heard of is failed once its pay call can no longer be in
    flight. Raises the gateway's error when the outcome is unknown (timeout, 429, 5xx); the
    payment is then left as it was, to be asked again. With `if_live`, a payment that has
    settled already is left alone, without asking.
    """
    payment = Payment.objects.get(pk=payment_id)
    if if_live and not payment.is_live:
        return ApplyResult(payment=payment, changed=False)
    try:
        status = get_gateway().get_order_status(payment.merchant_order_id)
    except GatewayNotFound:
        return _payment_not_at_gateway(payment_id=payment_id, source=source, actor=actor)
    return payment_apply_status(payment_id=payment_id, status=status, source=source, actor=actor)


def _payment_not_at_gateway(*, payment_id: int, source: str, actor: str) -> ApplyResult:
    in_flight = timedelta(seconds=settings.PHONEPE_CONNECT_TIMEOUT + settings.PHONEPE_READ_TIMEOUT)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        now = timezone.now()
        payment.last_checked_at = now
        payment.check_count += 1
        still_possible = now - payment.created_at < in_flight + timedelta(seconds=5)
        if payment.state != PaymentState.CREATED or still_possible:
            if payment.is_live:
                payment.next_check_at = now + UNKNOWN_OUTCOME_RECHECK
            payment.save()
            return ApplyResult(payment=payment, changed=False)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment.error_code = "NOT_CREATED"
        _transition(
            payment,
            order,
            PaymentState.FAILED,
            source=source,
            actor=actor,
            message="The gateway has no such order: the pay call never reached it.",
        )
    return ApplyResult(payment=payment, changed=True)


def payment_watch(*, payment: Payment) -> None:
    """The shopper is waiting on our pending page: check this payment soon."""
    soon = timezone.now() + SHOPPER_WAITING_RECHECK
    Payment.objects.filter(
        pk=payment.pk, state__in=PaymentState.live(), next_check_at__gt=soon
    ).update(next_check_at=soon)


# --- the poller ---------------------------------------------------------------------------------


def payments_claim_due(*, limit: int) -> list[int]:
    """Claim up to `limit` payments whose next status check is due (see `polling.claim_due`);
    the check then sets the next one along PhonePe's cadence. Returns their ids."""
    return claim_due(Payment, limit=limit)


def orders_release_overdue(*, limit: int) -> int:
    """Expire unpaid orders whose hold is over and that no payment can still complete.

    Each order is released once (EXPIRED, `order_released` sent: the shop restocks).
    """
    now = timezone.now()
    released = 0
    candidates = (
        Order.objects.filter(status__in=OrderStatus.payable(), reserved_until__lte=now)
        .exclude(payments__state__in=PaymentState.live())
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in list(candidates):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            live = order.payments.filter(state__in=PaymentState.live()).exists()
            if order.status in OrderStatus.payable() and not live:
                released += order_set_status(order=order, status=OrderStatus.EXPIRED)
    return released
