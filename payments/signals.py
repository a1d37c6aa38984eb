"""Order outcomes, announced inside the transaction that changed the order.

`payments` never imports `shop`; the shop listens here (for example, to put reserved stock back on
the shelf). Receivers run inside the same database transaction as the state change, so their
writes commit or roll back with it. Each is sent once per order: the state table forbids a
second transition into the same state.
"""

from django.dispatch import Signal

# sender=Order class, order=<Order>
order_paid = Signal()
# sender=Order class, order=<Order>: the order ended unpaid (expired or cancelled); release stock.
order_released = Signal()

# Sent just before a customer email goes out, so other apps can add to it (e.g. attach the tax
# invoice or a credit note): sender=Order, order=<Order>, message=<EmailMultiAlternatives>
receipt_email_prepared = Signal()
# sender=Refund, refund=<Refund>, message=<EmailMultiAlternatives>
refund_email_prepared = Signal()

# sender=Refund, refund=<Refund>: the gateway paid the refund out (inside the same transaction).
refund_completed = Signal()
