"""Operators' view of orders and payments. Money and states are never edited by hand here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from payments.gateways.base import GatewayError
from payments.models import Order, OrderLine, Payment, PaymentEvent, WebhookEvent
from payments.money import format_inr
from payments.services.payments import payment_refresh
from payments.services.webhooks import webhook_process


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ("sku", "product_name", "unit_price", "quantity", "line_total")

    @admin.display(description="Unit price")
    def unit_price(self, line: OrderLine) -> str:
        return format_inr(line.unit_price_paise)

    @admin.display(description="Line total")
    def line_total(self, line: OrderLine) -> str:
        return format_inr(line.line_total_paise)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = (
        "link",
        "state",
        "amount",
        "payment_mode",
        "gateway_transaction_id",
        "created_at",
        "error_code",
    )
    ordering = ["-created_at"]

    @admin.display(description="Merchant order id")
    def link(self, payment: Payment) -> str:
        url = reverse("admin:payments_payment_change", args=[payment.pk])
        return format_html('<a href="{}">{}</a>', url, payment.merchant_order_id)

    @admin.display(description="Amount")
    def amount(self, payment: Payment) -> str:
        return format_inr(payment.amount_paise)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "full_name", "email", "total", "status", "paid_at"]
    list_filter = ["status", "created_at"]
    search_fields = [
        "number",
        "email",
        "phone",
        "full_name",
        "payments__merchant_order_id",
        "payments__gateway_transaction_id",
    ]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline]
    readonly_fields = (
        "number", "status", "attention_reason", "currency", "subtotal", "shipping", "total",
        "full_name", "email", "phone", "address_line1", "address_line2", "city", "state",
        "postal_code", "country", "created_at", "paid_at", "reserved_until", "released_at",
        "receipt_sent_at",
    )  # fmt: skip
    fieldsets = [
        (None, {"fields": ["number", "status", "attention_reason", "created_at", "paid_at"]}),
        ("Amounts", {"fields": ["currency", "subtotal", "shipping", "total"]}),
        ("Customer", {"fields": ["full_name", "email", "phone"]}),
        ("Shipping address", {"fields": [
            "address_line1", "address_line2", "city", "state", "postal_code", "country",
        ]}),
        ("Stock and email", {"fields": ["reserved_until", "released_at", "receipt_sent_at"]}),
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Subtotal")
    def subtotal(self, order: Order) -> str:
        return format_inr(order.subtotal_paise)

    @admin.display(description="Shipping")
    def shipping(self, order: Order) -> str:
        return format_inr(order.shipping_paise)

    @admin.display(description="Total", ordering="total_paise")
    def total(self, order: Order) -> str:
        return format_inr(order.total_paise)


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = readonly_fields = (
        "created_at",
        "source",
        "from_state",
        "to_state",
        "gateway_state",
        "message",
        "actor",
    )
    ordering = ["-created_at", "-id"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "merchant_order_id",
        "order_link",
        "state",
        "amount",
        "payment_mode",
        "created_at",
    ]
    list_filter = ["state", "payment_mode", "gateway", "created_at"]
    list_select_related = ["order"]
    search_fields = [
        "merchant_order_id",
        "gateway_order_id",
        "gateway_transaction_id",
        "order__number",
    ]
    inlines = [PaymentEventInline]
    actions = ["reverify_now"]
    readonly_fields = (
        "order_link", "gateway", "merchant_order_id", "state", "amount", "currency",
        "gateway_order_id", "gateway_transaction_id", "payment_mode", "paid_amount",
        "error_code", "detailed_error_code", "redirect_url", "expires_at", "created_at",
        "completed_at", "next_check_at", "last_checked_at", "check_count",
    )  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, payment: Payment) -> str:
        url = reverse("admin:payments_order_change", args=[payment.order_id])
        return format_html('<a href="{}">{}</a>', url, payment.order.number)

    @admin.display(description="Amount", ordering="amount_paise")
    def amount(self, payment: Payment) -> str:
        return format_inr(payment.amount_paise)

    @admin.display(description="Paid amount")
    def paid_amount(self, payment: Payment) -> str:
        return "" if payment.paid_amount_paise is None else format_inr(payment.paid_amount_paise)

    @admin.action(description="Re-verify with the gateway now")
    def reverify_now(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        actor = request.user.get_username()
        for payment in queryset:
            try:
                result = payment_refresh(
                    payment_id=payment.pk, source=PaymentEvent.Source.ADMIN, actor=actor
                )
            except GatewayError as exc:
                self.message_user(
                    request,
                    f"{payment}: the gateway did not answer ({exc.message}).",
                    messages.ERROR,
                )
                continue
            verb = "is now" if result.changed else "is still"
            self.message_user(request, f"{payment} {verb} {result.payment.get_state_display()}.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "event",
        "merchant_order_id",
        "payload_state",
        "status",
        "duplicate_count",
    ]
    list_filter = ["status", "event", "received_at"]
    search_fields = ["merchant_order_id", "merchant_refund_id", "gateway_order_id", "dedupe_key"]
    list_select_related = ["payment"]
    actions = ["process_again"]
    readonly_fields = (
        "received_at", "event", "status", "result", "error", "payload_state", "merchant_order_id",
        "merchant_refund_id", "gateway_order_id", "payment", "attempts", "duplicate_count",
        "last_duplicate_at", "processed_at", "dedupe_key", "remote_addr", "headers", "raw_body",
    )  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Process again (ask the status API and apply)")
    def process_again(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        for event in queryset:
            try:
                done = webhook_process(event_id=event.pk, force=True)
            except GatewayError as exc:
                self.message_user(
                    request, f"{event}: the gateway did not answer ({exc.message}).", messages.ERROR
                )
                continue
            self.message_user(request, f"{done}: {done.result or done.error}")
