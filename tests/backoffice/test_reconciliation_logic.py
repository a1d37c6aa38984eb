"""Reconciliation's comparisons, as pure functions: every kind of finding, no HTTP, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backoffice.reconciliation import (
    Kind,
    PaymentRow,
    RefundRow,
    compare_payment,
    compare_refund,
    could_not_check,
    payment_not_found,
    refund_not_found,
)
from payments.gateways.base import (
    GatewayError,
    GatewayRefundStatus,
    GatewayServerError,
    GatewayStatus,
    GatewayTimeout,
    GatewayTransaction,
)

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def ours(state: str, amount: int = 99800, paid: int | None = None) -> PaymentRow:
    if paid is None and state == "COMPLETED":
        paid = amount
    return PaymentRow("LL-1-P1", "LL-1", state, amount, paid, AT)


def theirs(
    state: str, amount: int = 99800, paid: int | None = None, code: str = ""
) -> GatewayStatus:
    transaction = GatewayTransaction(
        transaction_id="OM1",
        payment_mode="UPI_INTENT",
        state=state,
        amount_paise=amount if paid is None else paid,
        timestamp=AT,
        detailed_error_code=code,
    )
    return GatewayStatus(
        merchant_order_id="LL-1-P1",
        gateway_order_id="OMO1",
        state=state,
        amount_paise=amount,
        currency="INR",
        expires_at=None,
        transactions=(transaction,),
        detailed_error_code=code,
    )


def refund_ours(state: str, amount: int = 10000) -> RefundRow:
    return RefundRow("LL-1-R1", "LL-1", state, amount, AT)


def refund_theirs(state: str, amount: int = 10000) -> GatewayRefundStatus:
    return GatewayRefundStatus("LL-1-R1", "OMR1", state, amount)


@pytest.mark.parametrize(
    ("our_state", "their_state", "code"),
    [
        ("COMPLETED", "COMPLETED", ""),
        ("PENDING", "PENDING", ""),
        ("CREATED", "PENDING", ""),  # the pay call's answer was lost; both say "not decided"
        ("FAILED", "FAILED", ""),
        ("EXPIRED", "FAILED", "TXN_AUTO_FAILED"),
        ("EXPIRED", "FAILED", ""),  # we gave up waiting; the gateway failed it: no money
        ("FAILED", "FAILED", "TXN_AUTO_FAILED"),
    ],
)
def test_states_that_mean_the_same_for_the_money_agree(
    our_state: str, their_state: str, code: str
) -> None:
    assert compare_payment(ours(our_state), theirs(their_state, code=code)) == []


def test_completed_here_and_not_at_the_gateway() -> None:
    [finding] = compare_payment(ours("COMPLETED"), theirs("FAILED"))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.STATE, "COMPLETED", "FAILED")
    assert "we recorded money the gateway does not show" in finding.detail
    assert finding.is_mismatch


def test_completed_at_the_gateway_and_not_here() -> None:
    [finding] = compare_payment(ours("EXPIRED"), theirs("COMPLETED"))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.STATE, "EXPIRED", "COMPLETED")
    assert "the money moved and we have not recorded it" in finding.detail


def test_failed_here_and_pending_there() -> None:
    [finding] = compare_payment(ours("FAILED"), theirs("PENDING"))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.STATE, "FAILED", "PENDING")
    assert finding.detail == "FAILED here, PENDING at the gateway."


def test_an_order_amount_difference() -> None:
    [finding] = compare_payment(ours("PENDING", amount=99800), theirs("PENDING", amount=99900))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.AMOUNT, "₹998.00", "₹999.00")


def test_a_paid_amount_difference_when_both_completed() -> None:
    [finding] = compare_payment(ours("COMPLETED", paid=99800), theirs("COMPLETED", paid=50000))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.AMOUNT, "₹998.00", "₹500.00")
    assert "captured" in finding.detail


def test_state_and_amount_are_both_reported() -> None:
    findings = compare_payment(ours("PENDING"), theirs("COMPLETED", amount=100))

    assert [finding.kind for finding in findings] == [Kind.STATE, Kind.AMOUNT]


@pytest.mark.parametrize("state", ["COMPLETED", "PENDING", "CREATED"])
def test_unknown_at_the_gateway_is_a_mismatch_unless_we_hold_it_unpaid(state: str) -> None:
    [finding] = payment_not_found(ours(state))

    assert (finding.kind, finding.ours, finding.theirs) == (
        Kind.UNKNOWN_AT_GATEWAY,
        state,
        "not found",
    )


@pytest.mark.parametrize("state", ["FAILED", "EXPIRED"])
def test_unknown_at_the_gateway_agrees_with_a_payment_closed_as_unpaid(state: str) -> None:
    assert payment_not_found(ours(state)) == []


@pytest.mark.parametrize(
    ("our_state", "their_state"),
    [
        ("REQUESTED", "PENDING"),
        ("PENDING", "CONFIRMED"),
        ("CONFIRMED", "CONFIRMED"),
        ("COMPLETED", "COMPLETED"),
        ("FAILED", "FAILED"),
    ],
)
def test_refund_states_that_agree(our_state: str, their_state: str) -> None:
    assert compare_refund(refund_ours(our_state), refund_theirs(their_state)) == []


def test_a_refund_completed_at_the_gateway_and_failed_here() -> None:
    [finding] = compare_refund(refund_ours("FAILED"), refund_theirs("COMPLETED"))

    assert (finding.kind, finding.subject, finding.ours, finding.theirs) == (
        Kind.STATE,
        "refund",
        "FAILED",
        "COMPLETED",
    )


def test_a_refund_amount_difference() -> None:
    [finding] = compare_refund(refund_ours("PENDING", 10000), refund_theirs("PENDING", 9000))

    assert (finding.kind, finding.ours, finding.theirs) == (Kind.AMOUNT, "₹100.00", "₹90.00")


def test_refund_unknown_at_the_gateway() -> None:
    [finding] = refund_not_found(refund_ours("COMPLETED"))

    assert finding.kind is Kind.UNKNOWN_AT_GATEWAY
    assert refund_not_found(refund_ours("FAILED")) == []


@pytest.mark.parametrize(
    ("error", "theirs_text"),
    [
        (GatewayServerError("GET status: 500", status=500), "HTTP 500"),
        (GatewayTimeout("No answer in time"), "GatewayTimeout"),
        (GatewayError("Unreadable status response"), "GatewayError"),
    ],
)
def test_a_gateway_error_is_could_not_check_and_never_a_mismatch(
    error: GatewayError, theirs_text: str
) -> None:
    finding = could_not_check(ours("COMPLETED"), error)

    assert finding.kind is Kind.COULD_NOT_CHECK
    assert finding.theirs == theirs_text
    assert finding.detail == error.message
    assert not finding.is_mismatch
    assert could_not_check(refund_ours("PENDING"), error).subject == "refund"
