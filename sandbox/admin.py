"""Read-mostly admin: operators look at sandbox orders; the pay page and the APIs change them."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sandbox.models import SandboxAttempt, SandboxOrder, SandboxRefund, SandboxWebhook


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = SandboxAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "transaction_id",
        "payment_mode",
        "state",
        "error_code",
        "detailed_error_code",
        "source",
        "created_at",
    )
    fields = readonly_fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SandboxOrder)
class SandboxOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "merchant_order_id",
        "order_id",
        "amount_paise",
        "state",
        "created_at",
        "expire_at",
    ]
    list_filter = ["state"]
    search_fields = ["merchant_order_id", "order_id"]
    date_hierarchy = "created_at"
    exclude = ["pay_token"]
    inlines = [AttemptInline]


@admin.register(SandboxAttempt)
class SandboxAttemptAdmin(ReadOnlyAdmin):
    list_display = ["transaction_id", "order", "payment_mode", "state", "source", "created_at"]
    list_filter = ["state", "payment_mode", "source"]
    search_fields = ["transaction_id", "order__merchant_order_id"]
    list_select_related = ["order"]


@admin.register(SandboxRefund)
class SandboxRefundAdmin(ReadOnlyAdmin):
    list_display = [
        "merchant_refund_id",
        "refund_id",
        "order",
        "amount_paise",
        "state",
        "created_at",
    ]
    list_filter = ["state"]
    search_fields = ["merchant_refund_id", "refund_id", "order__merchant_order_id"]
    list_select_related = ["order"]


@admin.register(SandboxWebhook)
class SandboxWebhookAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event",
        "kind",
        "order",
        "refund",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
    ]
    list_filter = ["state", "event", "kind"]
    search_fields = ["order__merchant_order_id", "refund__merchant_refund_id"]
    list_select_related = ["order", "refund"]
