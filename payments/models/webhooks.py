"""The inbound webhook ledger."""

from __future__ import annotations

from django.db import models

from payments.models.payments import Payment


class WebhookEvent(models.Model):
    """The inbound webhook ledger: every authenticated delivery, as received, and what we did.

    `dedupe_key` is unique: a repeated delivery of the same event is counted on the first row
    and processed once. Rejected deliveries (malformed, unknown event) are kept with no key.
    """

    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", "Received, not processed yet"
        PROCESSED = "PROCESSED", "Processed"
        IGNORED = "IGNORED", "Ignored"
        REJECTED = "REJECTED", "Rejected (malformed or unknown)"
        FAILED = "FAILED", "Failed"

    gateway = models.CharField(max_length=20, default="phonepe")
    event = models.CharField(max_length=80, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    payload_state = models.CharField(max_length=24, blank=True)
    merchant_order_id = models.CharField(max_length=64, blank=True, db_index=True)
    merchant_refund_id = models.CharField(max_length=64, blank=True, db_index=True)
    gateway_order_id = models.CharField(max_length=64, blank=True)
    payment = models.ForeignKey(
        Payment, related_name="webhook_events", null=True, blank=True, on_delete=models.SET_NULL
    )
    raw_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    last_duplicate_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        subject = self.merchant_refund_id or self.merchant_order_id or "?"
        return f"{self.event or 'unreadable'} {subject} ({self.get_status_display()})"
