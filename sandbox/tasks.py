"""Celery tasks of the sandbox gateway: thin, take ids, safe to run twice (acks_late).

The time-based tasks take the gateway's own ids (orderId, transactionId, refundId), which are
never reused, so a message that outlives its row (a flushed test database) does nothing; and
each applies only what is due by the row's own times, so an early, late or repeated run is
harmless. They are queued by `sandbox.services.schedule`.
"""

from celery import shared_task

from sandbox.services import orders, refunds, webhooks


@shared_task(acks_late=True)
def deliver_webhook(webhook_id: int) -> str:
    """Make the next attempt of one webhook delivery; retries re-queue this task with a countdown.

    Retries are explicit (not Celery's autoretry) because the delivery row, not the message,
    holds the attempt count, so a repeated or restored message cannot add attempts.
    """
    return webhooks.webhook_deliver(webhook_id=webhook_id)


@shared_task(acks_late=True)
def advance_refund(refund_id: str) -> str:
    """Move a refund to CONFIRMED / COMPLETED (or FAILED) when due, sending pg.refund.* webhooks."""
    return refunds.refund_advance(refund_id=refund_id)


@shared_task(acks_late=True)
def expire_order(order_id: str) -> str:
    """Fail a still-pending order at its expireAt (TXN_AUTO_FAILED, checkout.order.failed)."""
    return orders.order_expire_due(order_id=order_id)


@shared_task(acks_late=True)
def settle_payment(transaction_id: str) -> str:
    """Settle a delayed attempt (slow@ybl) at its time, sending the order's webhook."""
    return orders.attempt_settle_due(transaction_id=transaction_id)
