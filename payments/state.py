"""The one table of allowed state transitions, for payments and for orders.

Every change of `Payment.state` and `Order.status` goes through `payment_transition_allowed` /
`order_transition_allowed`; anything not listed is refused (applying an observation twice, or an
old observation after a newer one, is then a no-op rather than a step backwards).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models


class PaymentState(models.TextChoices):
    CREATED = (
        "CREATED",
        "Created",
    )  # our row exists; the gateway's answer to the pay call is unknown
    PENDING = "PENDING", "Pending"  # the gateway has the order; the payer has not finished
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"
    EXPIRED = (
        "EXPIRED",
        "Expired",
    )  # the payer ran out of time (gateway's auto-fail, or our give-up)

    @classmethod
    def live(cls) -> frozenset[str]:
        return frozenset({cls.CREATED, cls.PENDING})

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.COMPLETED, cls.FAILED, cls.EXPIRED})


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "PENDING_PAYMENT", "Awaiting payment"
    PAYMENT_FAILED = "PAYMENT_FAILED", "Payment failed"
    PAID = "PAID", "Paid"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED", "Partially refunded"
    REFUNDED = "REFUNDED", "Refunded"
    EXPIRED = "EXPIRED", "Expired"
    CANCELLED = "CANCELLED", "Cancelled"
    NEEDS_ATTENTION = "NEEDS_ATTENTION", "Needs attention"

    @classmethod
    def payable(cls) -> frozenset[str]:
        """The shopper may (still, or again) pay for an order in these states."""
        return frozenset({cls.PENDING_PAYMENT, cls.PAYMENT_FAILED})

    @classmethod
    def released(cls) -> frozenset[str]:
        """Stock has gone back to the shelf in these states."""
        return frozenset({cls.EXPIRED, cls.CANCELLED})


class RefundState(models.TextChoices):
    REQUESTED = "REQUESTED", "Requested"  # our row exists; the gateway has not confirmed it has it
    PENDING = "PENDING", "Pending"  # the gateway accepted the request
    CONFIRMED = "CONFIRMED", "Confirmed"  # the gateway confirmed it will pay it out
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"

    @classmethod
    def open(cls) -> frozenset[str]:
        """Still on its way: counts against what may be refunded, and is followed up."""
        return frozenset({cls.REQUESTED, cls.PENDING, cls.CONFIRMED})


class FulfilmentStatus(models.TextChoices):
    UNFULFILLED = "UNFULFILLED", "Not fulfilled"
    FULFILLED = "FULFILLED", "Packed, ready to ship"
    SHIPPED = "SHIPPED", "Shipped"


_P = PaymentState
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _P.CREATED: frozenset({_P.PENDING, _P.COMPLETED, _P.FAILED, _P.EXPIRED}),
    _P.PENDING: frozenset({_P.COMPLETED, _P.FAILED, _P.EXPIRED}),
    _P.COMPLETED: frozenset(),
    # FAILED and EXPIRED can be our own conclusions (the gateway had no such order; we stopped
    # waiting). If the gateway later says the money was taken, that truth is recorded, never
    # dropped; the order is then paid, or needs attention if it was released or paid already.
    _P.FAILED: frozenset({_P.COMPLETED}),
    _P.EXPIRED: frozenset({_P.COMPLETED}),
}

_O = OrderStatus
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    _O.PENDING_PAYMENT: frozenset(
        {_O.PAID, _O.PAYMENT_FAILED, _O.EXPIRED, _O.CANCELLED, _O.NEEDS_ATTENTION}
    ),
    # A new attempt puts the order back to PENDING_PAYMENT; an older attempt may still complete.
    _O.PAYMENT_FAILED: frozenset(
        {_O.PENDING_PAYMENT, _O.PAID, _O.EXPIRED, _O.CANCELLED, _O.NEEDS_ATTENTION}
    ),
    _O.PAID: frozenset({_O.PARTIALLY_REFUNDED, _O.REFUNDED, _O.NEEDS_ATTENTION}),
    _O.PARTIALLY_REFUNDED: frozenset({_O.REFUNDED, _O.NEEDS_ATTENTION}),
    _O.REFUNDED: frozenset({_O.NEEDS_ATTENTION}),
    _O.EXPIRED: frozenset({_O.NEEDS_ATTENTION}),
    _O.CANCELLED: frozenset({_O.NEEDS_ATTENTION}),
    _O.NEEDS_ATTENTION: frozenset({_O.PAID, _O.PARTIALLY_REFUNDED, _O.REFUNDED, _O.CANCELLED}),
}


_R = RefundState
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    _R.REQUESTED: frozenset({_R.PENDING, _R.CONFIRMED, _R.COMPLETED, _R.FAILED}),
    _R.PENDING: frozenset({_R.CONFIRMED, _R.COMPLETED, _R.FAILED}),
    _R.CONFIRMED: frozenset({_R.COMPLETED, _R.FAILED}),
    _R.COMPLETED: frozenset(),
    _R.FAILED: frozenset(),
}

_F = FulfilmentStatus
FULFILMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _F.UNFULFILLED: frozenset({_F.FULFILLED, _F.SHIPPED}),
    _F.FULFILLED: frozenset({_F.SHIPPED}),
    _F.SHIPPED: frozenset(),
}


def refund_transition_allowed(current: str, target: str) -> bool:
    return target in REFUND_TRANSITIONS[current]


def payment_transition_allowed(current: str, target: str) -> bool:
    return target in PAYMENT_TRANSITIONS[current]


def order_transition_allowed(current: str, target: str) -> bool:
    return target in ORDER_TRANSITIONS[current]


# Gateway order states (PhonePe v2) and what they mean for our Payment.
GATEWAY_AUTO_FAILED_CODES = frozenset({"TXN_AUTO_FAILED"})


def payment_state_for_gateway(gateway_state: str, detailed_error_code: str = "") -> str | None:
    """Map the gateway's order state to ours; None for a state we do not know (ignored)."""
    if gateway_state == "COMPLETED":
        return _P.COMPLETED
    if gateway_state == "FAILED":
        return _P.EXPIRED if detailed_error_code in GATEWAY_AUTO_FAILED_CODES else _P.FAILED
    if gateway_state == "PENDING":
        return _P.PENDING
    return None


# PhonePe's recommended status-check cadence for a pending payment: first check 20-25 s after
# the start, then every 3 s for 30 s, every 6 s for 60 s, every 10 s for 60 s, every 30 s for
# 60 s, then every minute until the payment ends.
_CADENCE: tuple[tuple[int, int], ...] = (
    (20, 20),  # until 20 s of age: wait for the first check at 20 s
    (50, 3),
    (110, 6),
    (170, 10),
    (230, 30),
)
_CADENCE_TAIL = 60


def next_check_delay(age: timedelta) -> timedelta:
    """How long to wait before the next status check of a payment this old."""
    seconds = age.total_seconds()
    if seconds < _CADENCE[0][0]:
        return timedelta(seconds=max(_CADENCE[0][0] - seconds, 1))
    for until, every in _CADENCE[1:]:
        if seconds < until:
            return timedelta(seconds=every)
    return timedelta(seconds=_CADENCE_TAIL)
