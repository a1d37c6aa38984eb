from datetime import timedelta

import pytest

from payments.state import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    OrderStatus,
    PaymentState,
    next_check_delay,
    order_transition_allowed,
    payment_state_for_gateway,
    payment_transition_allowed,
)


def test_every_state_has_a_row_in_the_tables() -> None:
    assert set(PAYMENT_TRANSITIONS) == set(PaymentState.values)
    assert set(ORDER_TRANSITIONS) == set(OrderStatus.values)
    for targets in [*PAYMENT_TRANSITIONS.values(), *ORDER_TRANSITIONS.values()]:
        assert targets <= set(PaymentState.values) or targets <= set(OrderStatus.values)


def test_completed_payments_never_change() -> None:
    for target in PaymentState.values:
        assert not payment_transition_allowed(PaymentState.COMPLETED, target)


@pytest.mark.parametrize("ended", [PaymentState.FAILED, PaymentState.EXPIRED])
def test_an_ended_payment_can_only_turn_out_completed(ended: str) -> None:
    # Money the gateway reports as taken is never dropped, even after we concluded otherwise.
    allowed = {t for t in PaymentState.values if payment_transition_allowed(ended, t)}
    assert allowed == {PaymentState.COMPLETED}


def test_no_payment_transition_goes_back_to_created_or_pending_from_pending() -> None:
    assert not payment_transition_allowed(PaymentState.PENDING, PaymentState.CREATED)
    assert not payment_transition_allowed(PaymentState.PENDING, PaymentState.PENDING)
    assert payment_transition_allowed(PaymentState.CREATED, PaymentState.PENDING)


def test_paid_orders_cannot_fall_back_to_unpaid_states() -> None:
    for target in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED):
        assert not order_transition_allowed(OrderStatus.PAID, target)


def test_a_failed_order_can_be_retried_and_then_paid() -> None:
    assert order_transition_allowed(OrderStatus.PAYMENT_FAILED, OrderStatus.PENDING_PAYMENT)
    assert order_transition_allowed(OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def test_released_orders_only_go_to_needs_attention() -> None:
    for released in OrderStatus.released():
        assert ORDER_TRANSITIONS[released] == {OrderStatus.NEEDS_ATTENTION}


@pytest.mark.parametrize(
    ("gateway_state", "detail", "ours"),
    [
        ("COMPLETED", "", PaymentState.COMPLETED),
        ("PENDING", "", PaymentState.PENDING),
        ("FAILED", "ZM", PaymentState.FAILED),
        ("FAILED", "TXN_AUTO_FAILED", PaymentState.EXPIRED),
        ("SOMETHING_NEW", "", None),
    ],
)
def test_gateway_states_map_to_ours(gateway_state: str, detail: str, ours: str | None) -> None:
    assert payment_state_for_gateway(gateway_state, detail) == ours


@pytest.mark.parametrize(
    ("age", "delay"),
    [
        (0, 20),
        (5, 15),
        (19.5, 1),
        (20, 3),
        (49, 3),
        (50, 6),
        (109, 6),
        (110, 10),
        (170, 30),
        (230, 60),
        (3000, 60),
    ],
)
def test_check_cadence_follows_phonepe_recommendation(age: float, delay: float) -> None:
    assert next_check_delay(timedelta(seconds=age)) == timedelta(seconds=delay)
