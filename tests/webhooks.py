"""Building PhonePe-shaped webhook deliveries for tests."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings

EVENT_TYPES = {
    "checkout.order.completed": "CHECKOUT_ORDER_COMPLETED",
    "checkout.order.failed": "CHECKOUT_ORDER_FAILED",
    "checkout.transaction.attempt.failed": "CHECKOUT_TRANSACTION_ATTEMPT_FAILED",
    "pg.refund.completed": "PG_REFUND_COMPLETED",
}


def webhook_auth(username: str | None = None, password: str | None = None) -> str:
    user = settings.PHONEPE_WEBHOOK_USERNAME if username is None else username
    secret = settings.PHONEPE_WEBHOOK_PASSWORD if password is None else password
    return hashlib.sha256(f"{user}:{secret}".encode()).hexdigest()


def order_webhook(
    merchant_order_id: str,
    *,
    event: str = "checkout.order.completed",
    state: str = "COMPLETED",
    amount: int = 99800,
    transaction_id: str = "OM-TXN-1",
    **payload: Any,
) -> bytes:
    body = {
        "event": event,
        "type": EVENT_TYPES.get(event, event.upper()),
        "payload": {
            "merchantId": "LOOMLEAFUAT",
            "merchantOrderId": merchant_order_id,
            "orderId": f"OMO-{merchant_order_id}",
            "state": state,
            "amount": amount,
            "expireAt": 1742457386759,
            "paymentDetails": [
                {
                    "transactionId": transaction_id,
                    "paymentMode": "UPI_COLLECT",
                    "timestamp": 1742284621555,
                    "amount": amount,
                    "state": state,
                }
            ],
            **payload,
        },
    }
    return json.dumps(body).encode()
