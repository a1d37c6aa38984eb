"""Orders in admin: find them, read everything that happened, and act on them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from payments.admin import order_actions
from payments.admin.common import ReadOnlyInline
from payments.models import Order, OrderLine, Payment, Refund
from payments.money import format_inr
from payments.selectors import order_timeline
from payments.state import OrderStatus


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "sku", "product_name", "hsn_code", "gst_rate", "unit_price", "quantity", "line_total",
    )  # fmt: skip

    @admin.display(description="GST")
    def gst_rate(self, line: OrderLine) -> str:
        return f"{line.gst_rate_bp / 100:g}%"

    @admin.display(description="Unit price")
    def unit_price(self, line: OrderLine) -> str:
        return format_inr(line.unit_price_paise)

    @admin.display(description="Line total")
    def line_total(self, line: OrderLine) -> str:
        return format_inr(line.line_total_paise)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = (
        "link", "state", "amount", "payment_mode", "gateway_transaction_id", "created_at",
        "error_code",
    )  # fmt: skip
    ordering = ["-created_at"]

    @admin.display(description="Merchant order id")
    def link(self, payment: Payment) -> str:
        url = reverse("admin:payments_payment_change", args=[payment.pk])
        return format_html('<a href="{}">{}</a>', url, payment.merchant_order_id)

    @admin.display(description="Amount")
    def amount(self, payment: Payment) -> str:
        return format_inr(payment.amount_paise)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = (
        "link",
        "state",
        "amount",
        "reason",
        "requested_by_name",
        "created_at",
    )
    ordering = ["-created_at"]

    @admin.display(description="Refund")
    def link(self, refund: Refund) -> str:
        url = reverse("admin:payments_refund_change", args=[refund.pk])
        return format_html('<a href="{}">{}</a>', url, refund.merchant_refund_id)

    @admin.display(description="Amount")
    def amount(self, refund: Refund) -> str:
        return format_inr(refund.amount_paise)


class PaymentModeFilter(admin.SimpleListFilter):
    title = "payment mode"
    parameter_name = "payment_mode"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        modes = Payment.objects.exclude(payment_mode="").values_list("payment_mode", flat=True)
        return [(mode, mode) for mode in sorted(set(modes))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value():
            return queryset.filter(
                payments__payment_mode=self.value(), payments__state="COMPLETED"
            ).distinct()
        return queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Needs attention")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() == "yes":
            return queryset.filter(status=OrderStatus.NEEDS_ATTENTION)
        return queryset


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    change_form_template = "admin/payments/order/change_form.html"
    change_list_template = "admin/payments/order/change_list.html"
    list_display = [
        "number", "created_at", "full_name", "email", "total", "status", "fulfilment_status",
    ]  # fmt: skip
    list_filter = [
        NeedsAttentionFilter, "status", PaymentModeFilter, "fulfilment_status", "created_at",
    ]  # fmt: skip
    search_fields = [
        "number", "email", "phone", "full_name",
        "payments__merchant_order_id", "payments__gateway_transaction_id",
    ]  # fmt: skip
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline, RefundInline]
    readonly_fields = (
        "number", "status", "attention_reason", "currency", "subtotal", "shipping", "total",
        "refunded", "full_name", "email", "phone", "address_line1", "address_line2", "city",
        "state", "postal_code", "country", "created_at", "paid_at", "reserved_until",
        "released_at", "receipt_sent_at", "fulfilment_status", "fulfilled_at", "shipped_at",
        "tracking_reference",
    )  # fmt: skip
    fieldsets = [
        (None, {"fields": ["number", "status", "attention_reason", "created_at", "paid_at"]}),
        ("Amounts", {"fields": ["currency", "subtotal", "shipping", "total", "refunded"]}),
        ("Customer", {"fields": ["full_name", "email", "phone"]}),
        ("Shipping address", {"fields": [
            "address_line1", "address_line2", "city", "state", "postal_code", "country",
        ]}),
        ("Fulfilment", {"fields": [
            "fulfilment_status", "fulfilled_at", "shipped_at", "tracking_reference",
        ]}),
        ("Stock and email", {"fields": ["reserved_until", "released_at", "receipt_sent_at"]}),
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # orders change only through the actions below, each one audited

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        custom = [
            path(
                f"<int:order_id>/{name}/",
                wrap(view),
                name=f"payments_order_{name.replace('-', '_')}",
            )
            for name, view in order_actions.ACTIONS.items()
        ]
        return custom + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data:
            queryset = response.context_data["cl"].queryset
            totals = queryset.aggregate(total=Sum("total_paise"), refunded=Sum("refunded_paise"))
            response.context_data["totals"] = {
                "count": queryset.count(),
                "total": format_inr(totals["total"] or 0),
                "refunded": format_inr(totals["refunded"] or 0),
            }
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        order = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if order is not None:
            context["timeline"] = order_timeline(order)
            context["order_actions"] = order_actions.available_actions(request, order)
            context["panels"] = order_actions.order_panels(order)
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="Subtotal")
    def subtotal(self, order: Order) -> str:
        return format_inr(order.subtotal_paise)

    @admin.display(description="Shipping")
    def shipping(self, order: Order) -> str:
        return format_inr(order.shipping_paise)

    @admin.display(description="Total", ordering="total_paise")
    def total(self, order: Order) -> str:
        return format_inr(order.total_paise)

    @admin.display(description="Refunded (completed)")
    def refunded(self, order: Order) -> str:
        return format_inr(order.refunded_paise)
