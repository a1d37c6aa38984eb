"""Non-trivial reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from payments.models import Order, OrderEvent, PaymentEvent, WebhookEvent


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    who: str
    what: str


def order_timeline(order: Order) -> list[TimelineEntry]:
    """Everything that happened to an order, newest first: payment observations, webhook
    deliveries, refunds, operator actions and emails, each with who or what did it."""
    entries: list[TimelineEntry] = []
    payments = list(order.payments.all())
    for event in PaymentEvent.objects.filter(payment__order=order).select_related("payment"):
        move = f"{event.from_state or '-'} → {event.to_state}" if event.to_state else ""
        text = " ".join(
            p for p in (f"Payment {event.payment.merchant_order_id}", move, event.message) if p
        )
        who = event.actor or event.get_source_display()
        entries.append(TimelineEntry(event.created_at, "payment", who, text))
    refund_ids = list(order.refunds.values_list("merchant_refund_id", flat=True))
    order_ids = [p.merchant_order_id for p in payments]
    deliveries = WebhookEvent.objects.filter(
        Q(merchant_order_id__in=order_ids) | Q(merchant_refund_id__in=refund_ids)
    )
    for delivery in deliveries:
        copies = f" (+{delivery.duplicate_count} duplicate)" if delivery.duplicate_count else ""
        text = (
            f"Webhook {delivery.event} said {delivery.payload_state}{copies}: "
            f"{delivery.get_status_display().lower()}. {delivery.result or delivery.error}"
        ).strip()
        entries.append(TimelineEntry(delivery.received_at, "webhook", "PhonePe", text))
    for order_event in OrderEvent.objects.filter(order=order):
        entries.append(
            TimelineEntry(
                order_event.created_at, order_event.kind, order_event.actor, order_event.message
            )
        )
    return sorted(entries, key=lambda e: e.at, reverse=True)
