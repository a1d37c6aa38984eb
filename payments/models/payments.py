"""Payments: one gateway attempt each, and the timeline of what was observed about it."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from payments.models.orders import Order
from payments.state import PaymentState


class Payment(models.Model):
    """One attempt to collect an order's total through the gateway (one merchant order id)."""

    order = models.ForeignKey(Order, related_name="payments", on_delete=models.PROTECT)
    gateway = models.CharField(max_length=20, default="phonepe")
    merchant_order_id = models.CharField(max_length=63, unique=True)
    state = models.CharField(
        max_length=12, choices=PaymentState.choices, default=PaymentState.CREATED, db_index=True
    )
    amount_paise = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="INR")

    gateway_order_id = models.CharField(max_length=64, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    payment_mode = models.CharField(max_length=24, blank=True)
    gateway_transaction_id = models.CharField(max_length=64, blank=True, db_index=True)
    paid_amount_paise = models.PositiveBigIntegerField(null=True, blank=True)
    # Promised back by refunds that have not failed (requested, pending or completed). The
    # database refuses more than was paid.
    refunded_paise = models.PositiveBigIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    detailed_error_code = models.CharField(max_length=64, blank=True)

    # How many payment attempts the gateway reported at the last check (0: the shopper has not
    # tried to pay on the gateway's page yet, e.g. went back or closed the tab).
    gateway_attempts = models.PositiveSmallIntegerField(default=0)
    # Re-verification: when the poller should next ask the status API (null: nothing to ask).
    next_check_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="payment_due_check_idx",
                condition=Q(next_check_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=100), name="payment_amount_min_100"
            ),
            models.CheckConstraint(
                condition=Q(refunded_paise=0) | Q(paid_amount_paise__gte=F("refunded_paise")),
                name="payment_refunds_within_paid_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.merchant_order_id

    @property
    def is_live(self) -> bool:
        """Could still be paid: the gateway may yet report it completed."""
        return self.state in PaymentState.live()


class PaymentEvent(models.Model):
    """The payment's timeline: every transition and every anomaly, with what observed it."""

    class Source(models.TextChoices):
        CHECKOUT = "checkout", "Checkout (pay call)"
        RETURN = "return", "Shopper's return"
        WEBHOOK = "webhook", "Gateway webhook"
        POLL = "poll", "Re-verification job"
        ADMIN = "admin", "Operator"
        SYSTEM = "system", "System"

    payment = models.ForeignKey(Payment, related_name="events", on_delete=models.CASCADE)
    source = models.CharField(max_length=12, choices=Source.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    gateway_state = models.CharField(max_length=24, blank=True)
    message = models.TextField(blank=True)
    raw = models.JSONField(null=True, blank=True, help_text="What the gateway said.")
    actor = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.payment} {self.from_state}->{self.to_state} ({self.source})"
