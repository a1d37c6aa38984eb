from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from payments.admin.common import ReadOnlyAdmin
from payments.gateways.base import GatewayError
from payments.models import WebhookEvent
from payments.services.webhooks import webhook_process


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at", "event", "merchant_order_id", "merchant_refund_id", "payload_state",
        "status", "duplicate_count",
    ]  # fmt: skip
    list_filter = ["status", "event", "received_at"]
    search_fields = ["merchant_order_id", "merchant_refund_id", "gateway_order_id", "dedupe_key"]
    actions = ["process_again"]
    readonly_fields = (
        "received_at", "event", "status", "result", "error", "payload_state", "merchant_order_id",
        "merchant_refund_id", "gateway_order_id", "payment", "attempts", "duplicate_count",
        "last_duplicate_at", "processed_at", "dedupe_key", "remote_addr", "headers", "raw_body",
    )  # fmt: skip
    fields = readonly_fields

    def has_reverify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.reverify_payment")

    @admin.action(
        description="Process again (ask the status API and apply)", permissions=["reverify"]
    )
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
