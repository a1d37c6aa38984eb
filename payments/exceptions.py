"""Domain errors. Views turn them into a message for the shopper, never a traceback."""


class PaymentsError(Exception):
    """Base class; `message` is fit to show to a shopper."""

    message = "Something went wrong with the payment."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class OrderNotPayable(PaymentsError):
    message = "This order can no longer be paid."


class PaymentUnavailable(PaymentsError):
    """The gateway could not be reached or refused to start the payment. Nothing was charged."""

    message = "Payments are unavailable right now. Your order is saved; please try again."
