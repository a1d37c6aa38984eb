"""What a shopper is told about a payment that did not go through."""

from __future__ import annotations

from payments.models import Payment

_FAILURE_TEXT = {
    "INSUFFICIENT_BALANCE": "Your bank declined the payment: insufficient balance.",
    "Z9": "Your bank declined the payment: insufficient balance.",
    "INVALID_MPIN": "The UPI PIN entered was incorrect.",
    "ZM": "The UPI PIN entered was incorrect.",
    "BANK_TECHNICAL_ISSUE": "Your bank had a technical problem and could not take the payment.",
    "U90": "Your bank had a technical problem and could not take the payment.",
    "PAYMENT_CANCELLED": "You cancelled the payment.",
    "USER_CANCEL": "You cancelled the payment.",
    "TXN_NOT_COMPLETED": "The payment was not completed in time.",
    "TXN_AUTO_FAILED": "The payment was not completed in time.",
    "NOT_CREATED": "We could not reach the payment gateway, so nothing was charged.",
}


def payment_failure_text(payment: Payment | None) -> str:
    if payment is None:
        return "The payment did not go through."
    for code in (payment.detailed_error_code, payment.error_code):
        if code in _FAILURE_TEXT:
            return _FAILURE_TEXT[code]
    return "The payment did not go through. No money was taken."
