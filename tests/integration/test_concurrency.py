"""Races with real threads, each on its own database connection (meaningful on PostgreSQL; on
SQLite the same tests pass because writers are serialised)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from payments.models import Order, PaymentEvent
from payments.services.orders import order_set_status
from payments.services.payments import payment_apply_status
from payments.state import OrderStatus, PaymentState
from shop.cart import Cart
from shop.exceptions import OutOfStock
from shop.models import Product, StockReservation
from shop.services import checkout_place_order
from tests.factories import PaymentFactory, ProductFactory, completed_status
from tests.integration.test_checkout_service import CUSTOMER

pytestmark = pytest.mark.django_db(transaction=True)


def race(workers: int, job: Callable[[int], Any]) -> list[Any]:
    """Run `job(i)` in `workers` threads released together; return results or exceptions."""
    barrier = threading.Barrier(workers)

    def run(i: int) -> Any:
        try:
            connection.ensure_connection()  # connect first, so the jobs really start together
            barrier.wait(timeout=30)
            return job(i)
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(workers)))


def test_fifty_buyers_for_the_last_five_units_get_exactly_five_orders() -> None:
    cosy = ProductFactory.create(name="Tea Cosy", stock=5, price_paise=79900)
    carts = []
    for _ in range(50):
        cart = Cart(SessionStore())
        cart.set(cosy, 1)
        carts.append(cart)

    results = race(50, lambda i: checkout_place_order(cart=carts[i], customer=CUSTOMER))

    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(orders) == 5
    assert len(refused) == 45, [r for r in results if not isinstance(r, Order | OutOfStock)]
    assert all("sold out" in r.message for r in refused)
    assert Product.objects.get(pk=cosy.pk).stock == 0
    assert StockReservation.objects.filter(product=cosy).count() == 5
    assert Order.objects.count() == 5


def test_one_completion_observed_by_three_sources_at_once_moves_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payment = PaymentFactory.create()
    status = completed_status(payment)
    queued: list[int] = []
    monkeypatch.setattr(
        "payments.tasks.send_order_receipt.delay", lambda order_id: queued.append(order_id)
    )
    sources = [
        PaymentEvent.Source.RETURN,
        PaymentEvent.Source.WEBHOOK,
        PaymentEvent.Source.POLL,
    ] * 3

    results = race(
        len(sources),
        lambda i: payment_apply_status(payment_id=payment.pk, status=status, source=sources[i]),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.changed for r in results) == 1
    assert (
        PaymentEvent.objects.filter(payment=payment, to_state=PaymentState.COMPLETED).count() == 1
    )
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID
    assert queued == [payment.order_id]  # one receipt queued


def test_release_races_release_and_gives_stock_back_once() -> None:
    product = ProductFactory.create(stock=0)
    payment = PaymentFactory.create(state=PaymentState.FAILED)
    StockReservation.objects.create(order=payment.order, product=product, quantity=3)

    def expire(_: int) -> bool:
        from django.db import transaction

        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            return order_set_status(order=order, status=OrderStatus.EXPIRED)

    results = race(8, expire)

    assert results.count(True) == 1, results
    assert Product.objects.get(pk=product.pk).stock == 3
