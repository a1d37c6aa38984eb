from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from payments.admin.common import ReadOnlyAdmin, ReadOnlyInline
from payments.gateways.base import GatewayError
from payments.models import Refund, RefundLine
from payments.money import format_inr
from payments.services.refunds import RefundNotAllowed, refund_refresh, refund_retry


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = readonly_fields = ("order_line", "quantity", "amount")

    @admin.display(description="Amount")
    def amount(self, line: RefundLine) -> str:
        return format_inr(line.amount_paise)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = [
        "merchant_refund_id",
        "order_link",
        "amount",
        "state",
        "requested_by_name",
        "created_at",
    ]
    list_filter = ["state", "created_at"]
    list_select_related = ["order"]
    search_fields = [
        "merchant_refund_id",
        "gateway_refund_id",
        "order__number",
        "payment__merchant_order_id",
    ]
    inlines = [RefundLineInline]
    actions = ["retry_failed", "reverify_now"]
    readonly_fields = (
        "merchant_refund_id", "order_link", "payment", "amount", "state", "reason",
        "requested_by_name", "retry_of", "gateway_refund_id", "error_code", "detailed_error_code",
        "submit_attempts", "submitted_at", "next_check_at", "last_checked_at", "check_count",
        "created_at", "completed_at", "failed_at", "email_sent_at",
    )  # fmt: skip
    fields = readonly_fields

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, refund: Refund) -> str:
        url = reverse("admin:payments_order_change", args=[refund.order_id])
        return format_html('<a href="{}">{}</a>', url, refund.order.number)

    @admin.display(description="Amount", ordering="amount_paise")
    def amount(self, refund: Refund) -> str:
        return format_inr(refund.amount_paise)

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.refund_order")

    def has_reverify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.reverify_payment")

    @admin.action(description="Retry failed refunds (as new refunds)", permissions=["refund"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        for refund in queryset:
            try:
                retry = refund_retry(refund=refund, requested_by=request.user)  # type: ignore[arg-type]
            except RefundNotAllowed as exc:
                self.message_user(request, f"{refund}: {exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{refund}: retried as {retry.merchant_refund_id}.")

    @admin.action(description="Re-verify with the gateway now", permissions=["reverify"])
    def reverify_now(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        for refund in queryset:
            try:
                result = refund_refresh(
                    refund_id=refund.pk, source="admin", actor=request.user.get_username()
                )
            except GatewayError as exc:
                self.message_user(
                    request,
                    f"{refund}: the gateway did not answer ({exc.message}).",
                    messages.ERROR,
                )
                continue
            self.message_user(request, f"{refund} is {result.refund.get_state_display().lower()}.")
