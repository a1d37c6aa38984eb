"""Placing orders from the cart and keeping stock honest."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from payments.models import Order
from payments.services.orders import CustomerDetails, LineItem, order_create
from shop.cart import Cart, shipping_for
from shop.exceptions import EmptyCart, OutOfStock
from shop.models import Product, StockReservation


def checkout_place_order(
    *, cart: Cart, customer: CustomerDetails, account: User | None = None
) -> Order:
    """Turn the cart into an order awaiting payment and reserve its stock, in one transaction.

    Prices and totals come from the catalogue, never from the browser. Stock is taken with a
    conditional update (`stock >= quantity`) on rows locked in primary-key order, so two buyers
    can never both get the last unit; if any line cannot be had, nothing is reserved or created.
    """
    wanted = {line.product.pk: line.quantity for line in cart.lines()}
    if not wanted:
        raise EmptyCart()
    with transaction.atomic():
        products = list(
            Product.objects.select_for_update().filter(pk__in=wanted, is_active=True).order_by("pk")
        )
        if len(products) != len(wanted):
            raise OutOfStock("an item in your cart", 0)
        for product in products:
            quantity = wanted[product.pk]
            taken = Product.objects.filter(pk=product.pk, stock__gte=quantity).update(
                stock=F("stock") - quantity
            )
            if not taken:
                product.refresh_from_db(fields=["stock"])
                raise OutOfStock(product.name, product.stock)
        lines = [
            LineItem(
                sku=product.sku,
                name=product.name,
                unit_price_paise=product.price_paise,
                quantity=wanted[product.pk],
                gst_rate_bp=product.gst_rate_bp,
                hsn_code=product.hsn_code,
            )
            for product in products
        ]
        subtotal = sum(line.unit_price_paise * line.quantity for line in lines)
        order = order_create(
            customer=customer, lines=lines, shipping_paise=shipping_for(subtotal), account=account
        )
        StockReservation.objects.bulk_create(
            StockReservation(order=order, product=product, quantity=wanted[product.pk])
            for product in products
        )
    return order


def stock_release_for_order(*, order: Order) -> int:
    """Put an order's reserved units back on the shelf, at most once. Returns units released.

    Runs inside the transaction that released the order. Each reservation is claimed with a
    conditional update on `released_at`, so a second call (or a concurrent one) releases nothing.
    """
    released = 0
    now = timezone.now()
    reservations = StockReservation.objects.filter(order=order, released_at__isnull=True)
    for reservation in reservations.select_for_update().order_by("product_id"):
        claimed = StockReservation.objects.filter(
            pk=reservation.pk, released_at__isnull=True
        ).update(released_at=now)
        if claimed:
            Product.objects.filter(pk=reservation.product_id).update(
                stock=F("stock") + reservation.quantity
            )
            released += reservation.quantity
    return released
