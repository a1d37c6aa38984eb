"""The shop's answers to order outcomes announced by payments (see payments/signals.py)."""

from typing import Any

from django.dispatch import receiver

from payments import signals
from payments.models import Order
from shop.services import stock_release_for_order


@receiver(signals.order_released, dispatch_uid="shop.release_stock")
def release_stock(sender: type[Order], order: Order, **kwargs: Any) -> None:
    stock_release_for_order(order=order)
