"""Placing orders: totals from the catalogue, stock reserved without overselling, released once."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore

from payments.models import Order
from payments.services.orders import CustomerDetails
from payments.state import OrderStatus
from shop.cart import Cart
from shop.exceptions import EmptyCart, OutOfStock
from shop.models import StockReservation
from shop.services import checkout_place_order, stock_release_for_order
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CUSTOMER = CustomerDetails(
    full_name="Asha Rao",
    email="asha@example.test",
    phone="9876543210",
    address_line1="12 MG Road",
    address_line2="",
    city="Bengaluru",
    state="Karnataka",
    postal_code="560001",
)


def cart_with(*items: tuple[object, int]) -> Cart:
    cart = Cart(SessionStore())
    for product, quantity in items:
        cart.set(product, quantity)  # type: ignore[arg-type]
    return cart


def test_order_snapshots_lines_and_computes_totals_in_paise() -> None:
    tea = ProductFactory.create(name="Assam", sku="TEA-1", price_paise=44900, stock=5)
    mug = ProductFactory.create(name="Kulhad", sku="MUG-1", price_paise=64900, stock=5)

    order = checkout_place_order(cart=cart_with((tea, 2), (mug, 1)), customer=CUSTOMER)

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.subtotal_paise == 2 * 44900 + 64900
    assert order.shipping_paise == 0  # over the free-shipping threshold
    assert order.total_paise == 154700
    lines = {line.sku: line for line in order.lines.all()}
    assert lines["TEA-1"].product_name == "Assam"
    assert (lines["TEA-1"].unit_price_paise, lines["TEA-1"].quantity) == (44900, 2)
    assert lines["TEA-1"].line_total_paise == 89800
    # A later price change does not touch the order.
    tea.price_paise = 100
    tea.save()
    assert Order.objects.get(pk=order.pk).total_paise == 154700


def test_small_orders_pay_shipping() -> None:
    strainer = ProductFactory.create(price_paise=34900, stock=5)

    order = checkout_place_order(cart=cart_with((strainer, 1)), customer=CUSTOMER)

    assert order.shipping_paise == 4900
    assert order.total_paise == 34900 + 4900


def test_placing_an_order_reserves_stock() -> None:
    tea = ProductFactory.create(stock=5)

    order = checkout_place_order(cart=cart_with((tea, 3)), customer=CUSTOMER)

    tea.refresh_from_db()
    assert tea.stock == 2
    reservation = StockReservation.objects.get(order=order)
    assert (reservation.product_id, reservation.quantity, reservation.released_at) == (
        tea.pk,
        3,
        None,
    )


def test_asking_for_more_than_the_shelf_has_changes_nothing() -> None:
    plenty = ProductFactory.create(name="Plenty", stock=10)
    scarce = ProductFactory.create(name="Scarce", stock=3)
    cart = cart_with((plenty, 2), (scarce, 3))
    scarce.stock = 1  # someone else bought two after this cart was filled
    scarce.save()

    with pytest.raises(OutOfStock) as caught:
        checkout_place_order(cart=cart, customer=CUSTOMER)

    assert "only 1 of Scarce left" in caught.value.message
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock, scarce.stock) == (10, 1)
    assert not Order.objects.exists()
    assert not StockReservation.objects.exists()


def test_an_empty_cart_places_nothing() -> None:
    with pytest.raises(EmptyCart):
        checkout_place_order(cart=cart_with(), customer=CUSTOMER)
    assert not Order.objects.exists()


def test_stock_is_released_exactly_once() -> None:
    tea = ProductFactory.create(stock=5)
    order = checkout_place_order(cart=cart_with((tea, 4)), customer=CUSTOMER)

    first = stock_release_for_order(order=order)
    second = stock_release_for_order(order=order)

    tea.refresh_from_db()
    assert (first, second, tea.stock) == (4, 0, 5)
