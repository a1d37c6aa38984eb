"""factory-boy factories for the project's models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from django.utils import timezone

from payments.gateways.base import GatewayStatus, GatewayTransaction
from payments.models import Order, OrderLine, Payment
from payments.state import PaymentState
from shop.models import Product


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Test Tea {n}")
    slug = factory.Sequence(lambda n: f"test-tea-{n}")
    price_paise = 49900
    stock = 10
    description = "A test product."


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"LL-TEST-{n:05d}")
    subtotal_paise = 99800
    shipping_paise = 0
    total_paise = factory.LazyAttribute(lambda o: o.subtotal_paise + o.shipping_paise)
    full_name = "Asha Rao"
    email = "asha@example.test"
    phone = "9876543210"
    address_line1 = "12 MG Road"
    city = "Bengaluru"
    state = "Karnataka"
    postal_code = "560001"
    reserved_until = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))

    @factory.post_generation
    def with_line(obj: Order, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            OrderLine.objects.create(
                order=obj,
                sku="SKU-LINE",
                product_name="Line product",
                unit_price_paise=obj.subtotal_paise // 2,
                quantity=2,
                line_total_paise=(obj.subtotal_paise // 2) * 2,
            )


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    merchant_order_id = factory.Sequence(lambda n: f"LL-TEST-P{n:05d}")
    state = PaymentState.PENDING
    amount_paise = factory.LazyAttribute(lambda p: p.order.total_paise)
    gateway_order_id = factory.Sequence(lambda n: f"OMO{n:010d}")
    redirect_url = "https://gateway.example/pay"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


def completed_status(payment: Payment) -> GatewayStatus:
    """What the gateway's status API says about `payment` once the payer has paid it in full."""
    return GatewayStatus(
        merchant_order_id=payment.merchant_order_id,
        gateway_order_id=payment.gateway_order_id,
        state="COMPLETED",
        amount_paise=payment.amount_paise,
        currency="INR",
        expires_at=None,
        transactions=(
            GatewayTransaction(
                "OM-TXN-1", "UPI_COLLECT", "COMPLETED", payment.amount_paise, datetime.now(tz=UTC)
            ),
        ),
    )
