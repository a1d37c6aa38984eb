"""Reconciliation as pure functions: our row and the gateway's answer in, findings out.

States are compared by what they mean for the money, not by their spelling: our CREATED and
PENDING and the gateway's PENDING all mean "not decided yet"; our FAILED and EXPIRED and the
gateway's FAILED (whatever the code) all mean "no money taken". A gateway that does not know a
payment (404) agrees with a payment we hold as failed or expired (a pay call that never arrived)
and disagrees with anything else. A gateway that could not answer is never a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from payments.gateways.base import GatewayError, GatewayRefundStatus, GatewayStatus
from payments.money import format_inr

OPEN, PAID, NOT_PAID, DONE = "open", "paid", "not paid", "done"

_OUR_PAYMENT = {"CREATED": OPEN, "PENDING": OPEN, "COMPLETED": PAID, "FAILED": NOT_PAID}
_OUR_PAYMENT["EXPIRED"] = NOT_PAID
_THEIR_PAYMENT = {"PENDING": OPEN, "COMPLETED": PAID, "FAILED": NOT_PAID}
_REFUND = {"REQUESTED": OPEN, "PENDING": OPEN, "CONFIRMED": OPEN}
_REFUND.update({"COMPLETED": DONE, "FAILED": NOT_PAID})


class Kind(StrEnum):
    STATE = "state"
    AMOUNT = "amount"
    UNKNOWN_AT_GATEWAY = "unknown_at_gateway"
    COULD_NOT_CHECK = "could_not_check"

    @property
    def label(self) -> str:
        return {
            Kind.STATE: "State differs",
            Kind.AMOUNT: "Amount differs",
            Kind.UNKNOWN_AT_GATEWAY: "Unknown at the gateway",
            Kind.COULD_NOT_CHECK: "Could not check",
        }[self]


@dataclass(frozen=True)
class PaymentRow:
    merchant_order_id: str
    order_number: str
    state: str
    amount_paise: int
    paid_amount_paise: int | None
    created_at: datetime


@dataclass(frozen=True)
class RefundRow:
    merchant_refund_id: str
    order_number: str
    state: str
    amount_paise: int
    created_at: datetime


@dataclass(frozen=True)
class Finding:
    kind: Kind
    subject: str  # "payment" or "refund"
    reference: str  # merchant order id or merchant refund id
    order_number: str
    ours: str
    theirs: str
    detail: str

    @property
    def is_mismatch(self) -> bool:
        return self.kind is not Kind.COULD_NOT_CHECK


def _payment_finding(row: PaymentRow, kind: Kind, ours: str, theirs: str, detail: str) -> Finding:
    return Finding(kind, "payment", row.merchant_order_id, row.order_number, ours, theirs, detail)


def _refund_finding(row: RefundRow, kind: Kind, ours: str, theirs: str, detail: str) -> Finding:
    return Finding(kind, "refund", row.merchant_refund_id, row.order_number, ours, theirs, detail)


def _state_detail(ours_meaning: str, theirs_meaning: str, ours: str, theirs: str) -> str:
    if theirs_meaning in (PAID, DONE):
        return f"{theirs} at the gateway, {ours} here: the money moved and we have not recorded it."
    if ours_meaning in (PAID, DONE):
        return f"{ours} here, {theirs} at the gateway: we recorded money the gateway does not show."
    return f"{ours} here, {theirs} at the gateway."


def compare_payment(row: PaymentRow, status: GatewayStatus) -> list[Finding]:
    """Mismatches between our payment and the gateway's order status (empty: they agree)."""
    findings = []
    ours_meaning = _OUR_PAYMENT.get(row.state, row.state)
    theirs_meaning = _THEIR_PAYMENT.get(status.state, status.state)
    if ours_meaning != theirs_meaning:
        detail = _state_detail(ours_meaning, theirs_meaning, row.state, status.state)
        findings.append(_payment_finding(row, Kind.STATE, row.state, status.state, detail))
    if status.amount_paise != row.amount_paise:
        findings.append(
            _payment_finding(
                row,
                Kind.AMOUNT,
                format_inr(row.amount_paise),
                format_inr(status.amount_paise),
                "The order amount at the gateway is not the amount we asked for.",
            )
        )
    if ours_meaning == PAID and theirs_meaning == PAID:
        captured = status.completed_transaction
        theirs_paid = captured.amount_paise if captured else status.amount_paise
        if row.paid_amount_paise != theirs_paid:
            ours_paid = (
                "none" if row.paid_amount_paise is None else format_inr(row.paid_amount_paise)
            )
            findings.append(
                _payment_finding(
                    row,
                    Kind.AMOUNT,
                    ours_paid,
                    format_inr(theirs_paid),
                    "The paid amount we recorded is not what the gateway captured.",
                )
            )
    return findings


def payment_not_found(row: PaymentRow) -> list[Finding]:
    """The gateway answered 404 for our payment."""
    if _OUR_PAYMENT.get(row.state) == NOT_PAID:
        return []  # a pay call that never reached the gateway, already closed as failed
    detail = (
        "We recorded a completed payment the gateway has never heard of."
        if row.state == "COMPLETED"
        else "The gateway has no such order; the pay call may never have arrived."
    )
    return [_payment_finding(row, Kind.UNKNOWN_AT_GATEWAY, row.state, "not found", detail)]


def compare_refund(row: RefundRow, status: GatewayRefundStatus) -> list[Finding]:
    """Mismatches between our refund and the gateway's refund status (empty: they agree)."""
    findings = []
    ours_meaning = _REFUND.get(row.state, row.state)
    theirs_meaning = _REFUND.get(status.state, status.state)
    if ours_meaning != theirs_meaning:
        detail = _state_detail(ours_meaning, theirs_meaning, row.state, status.state)
        findings.append(_refund_finding(row, Kind.STATE, row.state, status.state, detail))
    if status.amount_paise != row.amount_paise:
        findings.append(
            _refund_finding(
                row,
                Kind.AMOUNT,
                format_inr(row.amount_paise),
                format_inr(status.amount_paise),
                "The refund amount at the gateway is not the amount we asked for.",
            )
        )
    return findings


def refund_not_found(row: RefundRow) -> list[Finding]:
    """The gateway answered 404 for our refund."""
    if row.state == "FAILED":
        return []
    detail = (
        "We recorded a completed refund the gateway has never heard of."
        if row.state == "COMPLETED"
        else "The gateway has no such refund; the refund call may never have arrived."
    )
    return [_refund_finding(row, Kind.UNKNOWN_AT_GATEWAY, row.state, "not found", detail)]


def could_not_check(row: PaymentRow | RefundRow, error: GatewayError) -> Finding:
    """The gateway did not answer usefully (timeout, 5xx, 429, unreadable): unknown, not wrong."""
    theirs = f"HTTP {error.status}" if error.status else type(error).__name__
    if isinstance(row, PaymentRow):
        return _payment_finding(row, Kind.COULD_NOT_CHECK, row.state, theirs, error.message)
    return _refund_finding(row, Kind.COULD_NOT_CHECK, row.state, theirs, error.message)
