"""Celery tasks of the sandbox gateway: thin, take ids, safe to run twice (acks_late)."""

from celery import shared_task

from sandbox.services import webhooks


@shared_task(acks_late=True)
def deliver_webhook(webhook_id: int) -> str:
    """Make the next attempt of one webhook delivery; retries re-queue this task with a countdown.

    Retries are explicit (not Celery's autoretry) because the delivery row, not the message,
    holds the attempt count, so a repeated or restored message cannot add attempts.
    """
    return webhooks.webhook_deliver(webhook_id=webhook_id)
