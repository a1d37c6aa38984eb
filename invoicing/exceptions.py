"""Domain errors of invoicing."""


class InvoicingError(Exception):
    """Base class; `message` is fit to show to an operator."""

    message = "The document could not be issued."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class NotInvoiceable(InvoicingError):
    """The order was never paid: there was no supply to invoice."""

    message = "Only a paid order gets a tax invoice."


class DocumentImmutable(InvoicingError):
    """An issued invoice or credit note is never changed."""

    message = "An issued document cannot be changed."
