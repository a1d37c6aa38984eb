from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from payments.admin.common import ReadOnlyAdmin, ReadOnlyInline
from payments.gateways.base import GatewayError
from payments.models import Payment, PaymentEvent
from payments.money import format_inr
from payments.services.operations import order_record_reverify
from payments.services.payments import payment_refresh


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = readonly_fields = (
        "created_at", "source", "from_state", "to_state", "gateway_state", "message", "actor",
    )  # fmt: skip
    ordering = ["-created_at", "-id"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
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
        "gateway_order_id", "gateway_transaction_id", "payment_mode", "paid_amount", "refunded",
        "error_code", "detailed_error_code", "redirect_url", "expires_at", "created_at",
        "completed_at", "gateway_attempts", "next_check_at", "last_checked_at", "check_count",
    )  # fmt: skip
    fields = readonly_fields

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

    @admin.display(description="Refunded (incl. pending)")
    def refunded(self, payment: Payment) -> str:
        return format_inr(payment.refunded_paise)

    def has_reverify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.reverify_payment")

    @admin.action(description="Re-verify with the gateway now", permissions=["reverify"])
    def reverify_now(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        for payment in queryset.select_related("order"):
            text = reverify_and_record(request, payment)
            level = (
                messages.ERROR if text.startswith("the gateway did not answer") else messages.INFO
            )
            self.message_user(request, f"{payment}: {text}", level)


def reverify_and_record(request: HttpRequest, payment: Payment) -> str:
    """Ask the gateway about a payment for an operator; the answer goes on the timeline."""
    actor = request.user.get_username()
    try:
        result = payment_refresh(
            payment_id=payment.pk, source=PaymentEvent.Source.ADMIN, actor=actor
        )
    except GatewayError as exc:
        text = f"the gateway did not answer ({exc.message})."
    else:
        verb = "is now" if result.changed else "is still"
        text = f"{payment.merchant_order_id} {verb} {result.payment.get_state_display()}."
    order_record_reverify(order=payment.order, actor=request.user, outcome=text)  # type: ignore[arg-type]
    return text
