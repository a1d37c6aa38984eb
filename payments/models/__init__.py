from payments.models.orders import ORDER_ACCESS_SALT, Order, OrderEvent, OrderLine
from payments.models.payments import Payment, PaymentEvent
from payments.models.refunds import Refund, RefundLine
from payments.models.webhooks import WebhookEvent

__all__ = [
    "ORDER_ACCESS_SALT",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentEvent",
    "Refund",
    "RefundLine",
    "WebhookEvent",
]
