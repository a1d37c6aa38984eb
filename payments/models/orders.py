"""Orders: what was bought, for how much, by whom, and where it stands."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from payments.state import FulfilmentStatus, OrderStatus

ORDER_ACCESS_SALT = "payments.order-access"


class Order(models.Model):
    """What the shopper bought, for how much, and where it stands. Totals are set server-side."""

    number = models.CharField(max_length=32, unique=True, help_text="Human-friendly order number.")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text="The signed-in account that placed the order; empty for guest checkout.",
    )
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
    # What completed refunds have paid back (pending ones are counted on the payment).
    refunded_paise = models.PositiveBigIntegerField(default=0)
    fulfilment_status = models.CharField(
        max_length=12, choices=FulfilmentStatus.choices, default=FulfilmentStatus.UNFULFILLED
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    tracking_reference = models.CharField(max_length=100, blank=True)
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
        permissions = [
            ("reverify_payment", "Can re-verify payments with the gateway"),
            ("refund_order", "Can refund orders"),
            ("operate_order", "Can cancel, fulfil, resend receipts and resolve orders"),
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
    # Tax as it applied at checkout: GST rate in basis points (500 = 5%), included in the price.
    gst_rate_bp = models.PositiveIntegerField(default=0)
    hsn_code = models.CharField("HSN code", max_length=8, blank=True)

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


class OrderEvent(models.Model):
    """The order's own timeline: operator actions, emails, refunds, fulfilment, with who did it.

    Payment observations live in PaymentEvent and webhook deliveries in WebhookEvent; the admin
    timeline shows all three together.
    """

    class Kind(models.TextChoices):
        OPERATOR = "operator", "Operator action"
        EMAIL = "email", "Email"
        REFUND = "refund", "Refund"
        FULFILMENT = "fulfilment", "Fulfilment"
        SYSTEM = "system", "System"

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.CharField(max_length=150, blank=True, help_text="Who or what did it.")
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}: {self.message[:60]}"
