"""Refunds: money going back to the customer, one gateway refund (merchant refund id) each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from payments.models.orders import Order, OrderLine
from payments.models.payments import Payment
from payments.state import RefundState


class Refund(models.Model):
    """Written and committed before the gateway is called; its state then follows the gateway."""

    order = models.ForeignKey(Order, related_name="refunds", on_delete=models.PROTECT)
    payment = models.ForeignKey(Payment, related_name="refunds", on_delete=models.PROTECT)
    merchant_refund_id = models.CharField(max_length=63, unique=True)
    amount_paise = models.PositiveBigIntegerField()
    reason = models.TextField()
    state = models.CharField(
        max_length=12, choices=RefundState.choices, default=RefundState.REQUESTED, db_index=True
    )
    gateway_refund_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    detailed_error_code = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retries"
    )

    # Sending and following up: the refund call is made by a task, never blindly re-sent.
    submit_attempts = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=100), name="refund_amount_min_100"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="refund_due_check_idx",
                condition=Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.merchant_refund_id

    @property
    def is_open(self) -> bool:
        return self.state in RefundState.open()


class RefundLine(models.Model):
    """Which order lines (and how many units) a refund gives money back for."""

    refund = models.ForeignKey(Refund, related_name="lines", on_delete=models.CASCADE)
    order_line = models.ForeignKey(OrderLine, related_name="refund_lines", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    amount_paise = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="refund_line_quantity_positive"
            ),
            models.UniqueConstraint(fields=["refund", "order_line"], name="refund_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line.product_name}"
