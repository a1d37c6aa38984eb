"""Orders and their payments. Money is integer paise; states follow payments/state.py."""

from __future__ import annotations

from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from payments.state import OrderStatus, PaymentState

ORDER_ACCESS_SALT = "payments.order-access"


class Order(models.Model):
    """What the shopper bought, for how much, and where it stands. Totals are set server-side."""

    number = models.CharField(max_length=32, unique=True, help_text="Human-friendly order number.")
    status = models.CharField(
        max_length=24,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    currency = models.CharField(max_length=3, default="INR")
    subtotal_paise = models.PositiveBigIntegerField()
    shipping_paise = models.PositiveBigIntegerField(default=0)
    total_paise = models.PositiveBigIntegerField()

    full_name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=16)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=6)
    country = models.CharField(max_length=2, default="IN")

    # Stock stays reserved for the order until this moment unless a payment can still complete.
    reserved_until = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="When the order gave its reserved stock back."
    )
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    attention_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_paise=F("subtotal_paise") + F("shipping_paise")),
                name="order_total_is_subtotal_plus_shipping",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def access_token(self) -> str:
        """A signed reference: whoever holds it may see this order (receipt link, return page)."""
        return signing.Signer(salt=ORDER_ACCESS_SALT).sign(self.number)

    def get_access_url(self) -> str:
        return reverse("payments:order_detail", kwargs={"token": self.access_token})

    @property
    def is_payable(self) -> bool:
        return self.status in OrderStatus.payable()


class OrderLine(models.Model):
    """A snapshot of what was bought: name and unit price as they were at checkout."""

    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    sku = models.CharField(max_length=32)
    product_name = models.CharField(max_length=120)
    unit_price_paise = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()
    line_total_paise = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(line_total_paise=F("unit_price_paise") * F("quantity")),
                name="order_line_total_is_price_times_quantity",
            ),
            models.UniqueConstraint(fields=["order", "sku"], name="order_line_unique_sku"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def name(self) -> str:
        return self.product_name


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
