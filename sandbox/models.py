"""What the fake gateway remembers: orders, payment attempts and refunds.

Field names are ours (`amount_paise`); the wire names (`amount`, camelCase) live in `wire.py`.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrderState(models.TextChoices):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AttemptState(models.TextChoices):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class RefundState(models.TextChoices):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AttemptSource(models.TextChoices):
    PAY_PAGE = "PAY_PAGE", "Hosted pay page"
    CONTROL_API = "CONTROL_API", "Test-control API"
    CONSOLE = "CONSOLE", "Sandbox console"


class SandboxOrder(models.Model):
    merchant_order_id = models.CharField(max_length=63, unique=True)
    order_id = models.CharField(max_length=40, unique=True)
    amount_paise = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=OrderState, default=OrderState.PENDING)
    expire_after_seconds = models.PositiveIntegerField()
    expire_at = models.DateTimeField()
    # Echoed back exactly as the merchant sent it; None when it sent none.
    meta_info = models.JSONField(null=True, blank=True)
    redirect_url = models.TextField()
    message = models.TextField(blank=True)
    payment_mode_config = models.JSONField(null=True, blank=True)
    disable_payment_retry = models.BooleanField(default=False)
    # SHA-256 of the normalised pay request: an identical repeat returns this order.
    request_fingerprint = models.CharField(max_length=64)
    # The secret in the pay page URL; random, so a page link cannot be guessed.
    pay_token = models.CharField(max_length=64, unique=True)
    error_code = models.CharField(max_length=64, blank=True)
    detailed_error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "expire_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=100), name="sandbox_order_amount_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_order_id} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        return self.state != OrderState.PENDING


class SandboxAttempt(models.Model):
    """One try by the payer (or a test) to pay an order: PhonePe's `paymentDetails[]` item."""

    order = models.ForeignKey(SandboxOrder, on_delete=models.CASCADE, related_name="attempts")
    transaction_id = models.CharField(max_length=40, unique=True)
    # Our name for the method (Method), and the SDK's paymentMode reported on the wire.
    method = models.CharField(max_length=16)
    payment_mode = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=AttemptState, default=AttemptState.PENDING)
    amount_paise = models.PositiveBigIntegerField()
    instrument = models.JSONField(default=dict)
    rail = models.JSONField(default=dict)
    split_instruments = models.JSONField(null=True, blank=True)
    # What a human would recognise (VPA, card brand and last 4, bank): never a full card number.
    payer_details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=AttemptSource)
    error_code = models.CharField(max_length=64, blank=True)
    detailed_error_code = models.CharField(max_length=64, blank=True)
    # A delayed outcome: the attempt settles to `settle_outcome` on the first read after this.
    settle_at = models.DateTimeField(null=True, blank=True)
    settle_outcome = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "settle_at"])]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.payment_mode} ({self.state})"


class SandboxRefund(models.Model):
    order = models.ForeignKey(SandboxOrder, on_delete=models.CASCADE, related_name="refunds")
    merchant_refund_id = models.CharField(max_length=63, unique=True)
    refund_id = models.CharField(max_length=40, unique=True)
    transaction_id = models.CharField(max_length=40, unique=True)
    # The attempt whose money goes back (its mode, instrument and rail are reported).
    attempt = models.ForeignKey(SandboxAttempt, on_delete=models.PROTECT, related_name="refunds")
    amount_paise = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=RefundState, default=RefundState.PENDING)
    request_fingerprint = models.CharField(max_length=64)
    error_code = models.CharField(max_length=64, blank=True)
    detailed_error_code = models.CharField(max_length=64, blank=True)
    # Lazily applied schedule; a later webhook sender can drive the same fields.
    confirm_at = models.DateTimeField()
    complete_at = models.DateTimeField()
    settle_outcome = models.CharField(max_length=16, default="SUCCESS")
    status_reads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=100), name="sandbox_refund_amount_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_refund_id} ({self.state})"
