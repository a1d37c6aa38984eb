"""Settlement reports and lines in admin: read-only (they change only by uploading a file).

Whoever may use the backoffice (payments.view_order) may read them, so support and finance need
no extra permission for these two models.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from backoffice.models import SettlementLine, SettlementReport
from backoffice.permissions import can_view
from payments.money import format_inr


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return can_view(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view(request.user)


def _inr(paise: int) -> str:
    return format_inr(paise)


class MoneyColumns:
    """The four money columns of settlement lines and reports, in rupees."""

    @admin.display(description="Amount", ordering="amount_paise")
    def amount(self, row: SettlementLine | SettlementReport) -> str:
        return _inr(row.amount_paise)

    @admin.display(description="Fee")
    def fee(self, row: SettlementLine | SettlementReport) -> str:
        return _inr(row.fee_paise)

    @admin.display(description="Tax on fee")
    def tax_on_fee(self, row: SettlementLine | SettlementReport) -> str:
        return _inr(row.tax_on_fee_paise)

    @admin.display(description="Net", ordering="net_paise")
    def net(self, row: SettlementLine | SettlementReport) -> str:
        return _inr(row.net_paise)


class SettlementLineInline(MoneyColumns, ReadOnlyAdminMixin, admin.TabularInline):
    model = SettlementLine
    extra = 0
    fields = readonly_fields = (
        "row_number", "type", "merchant_order_id", "merchant_refund_id", "amount", "fee",
        "tax_on_fee", "net", "settlement_date", "utr", "match_status", "match_note",
    )  # fmt: skip


@admin.register(SettlementReport)
class SettlementReportAdmin(MoneyColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "uploaded_at",
        "file_name",
        "settlement_date_from",
        "settlement_date_to",
        "line_count",
        "duplicate_count",
        "net",
        "uploaded_by_name",
    ]
    date_hierarchy = "uploaded_at"
    search_fields = ["file_name", "file_sha256"]
    inlines = [SettlementLineInline]
    fields = readonly_fields = (
        "file_name", "file_sha256", "settlement_date_from", "settlement_date_to",
        "uploaded_by_name", "uploaded_at", "line_count", "duplicate_count", "payment_count",
        "refund_count", "amount", "fee", "tax_on_fee", "net",
    )  # fmt: skip


@admin.register(SettlementLine)
class SettlementLineAdmin(MoneyColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "settlement_date",
        "type",
        "merchant_order_id",
        "merchant_refund_id",
        "amount",
        "fee",
        "net",
        "utr",
        "match_status",
        "order_link",
    ]
    list_filter = ["match_status", "type", "settlement_date"]
    search_fields = ["merchant_order_id", "merchant_refund_id", "transaction_id", "utr"]
    list_select_related = ["payment__order", "refund__order"]
    fields = readonly_fields = (
        "report", "row_number", "type", "transaction_id", "merchant_order_id",
        "merchant_refund_id", "amount", "fee", "tax_on_fee", "net", "transaction_date",
        "settlement_date", "utr", "payment", "refund", "match_status", "match_note",
    )  # fmt: skip

    @admin.display(description="Order")
    def order_link(self, line: SettlementLine) -> str:
        source = line.payment or line.refund
        if source is None:
            return "-"
        url = reverse("admin:payments_order_change", args=[source.order_id])
        return format_html('<a href="{}">{}</a>', url, source.order.number)
