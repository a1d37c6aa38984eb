"""What the fake gateway remembers: orders, attempts, refunds, webhooks and chaos rules.

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
    # This order's own chaos rule (camelCase, as validated by services.chaos); {} = none.
    chaos = models.JSONField(default=dict, blank=True)

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
        # Due delayed outcomes; completed payments by completion time (settlement report).
        indexes = [
            models.Index(fields=["state", "settle_at"]),
            models.Index(fields=["state", "settled_at"]),
        ]

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
    # When the refund reads CONFIRMED, then COMPLETED (or FAILED); applied by reads and tasks.
    confirm_at = models.DateTimeField()
    complete_at = models.DateTimeField()
    # FAILURE when a chaos `refund` rule chose this refund to fail at its completion time.
    settle_outcome = models.CharField(max_length=16, default="SUCCESS")
    status_reads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Refunds due to finish (sweep); completed ones by completion time (settlement report).
        indexes = [
            models.Index(fields=["state", "complete_at"]),
            models.Index(fields=["state", "finished_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=100), name="sandbox_refund_amount_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_refund_id} ({self.state})"


class WebhookState(models.TextChoices):
    SCHEDULED = "SCHEDULED"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED", "Failed (gave up)"
    DROPPED = "DROPPED", "Dropped (chaos)"


class WebhookKind(models.TextChoices):
    EVENT = "EVENT", "Event"
    COPY = "COPY", "Duplicate copy (chaos)"
    STALE = "STALE", "Stale event (chaos reorder)"
    RESEND = "RESEND", "Resent on request"


class SandboxWebhook(models.Model):
    """One delivery of a webhook to the merchant; `body` is exactly what is POSTed."""

    # Refund events carry both the refund and its order (the console and resend go by order).
    order = models.ForeignKey(
        SandboxOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    refund = models.ForeignKey(
        SandboxRefund, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    event = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=WebhookKind, default=WebhookKind.EVENT)
    body = models.JSONField()
    url = models.TextField()
    state = models.CharField(max_length=16, choices=WebhookState, default=WebhookState.SCHEDULED)
    # Sent inside the pay page request, before the browser returns (chaos before_return).
    deliver_inline = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The next attempt is due then; while one is being sent it also fences off a second runner.
    deliver_after = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deliver_after"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False) | Q(refund__isnull=False),
                name="sandbox_webhook_has_subject",
            ),
            # Each state change is announced once, even if a lazy read applies it twice over.
            models.UniqueConstraint(
                fields=["order", "event"],
                condition=Q(kind="EVENT", refund__isnull=True),
                name="sandbox_webhook_once_per_order_event",
            ),
            models.UniqueConstraint(
                fields=["refund", "event"],
                condition=Q(kind="EVENT", refund__isnull=False),
                name="sandbox_webhook_once_per_refund_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.state})"


class SandboxChaos(models.Model):
    """The global chaos rule set through the control API: a single row (pk=1)."""

    rule = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sandbox chaos rule"

    def __str__(self) -> str:
        return "Global chaos rule"


class SandboxFaultCounter(models.Model):
    """How many injected API errors a rule still has to give (`errorTimes`, counted down).

    `scope` is "global" or "order:<pk>"; `fingerprint` names the rule that armed the counter, so
    a changed rule re-arms it and an unchanged one keeps counting down.
    """

    scope = models.CharField(max_length=32)
    api = models.CharField(max_length=16)
    fingerprint = models.CharField(max_length=128)
    remaining = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "api"], name="sandbox_fault_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.api}: {self.remaining} left"
