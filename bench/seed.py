"""Seeding the bench databases directly (bulk inserts), for speed.

    python -m bench.seed catalogue --products 24 --stock 1000000
    python -m bench.seed hot --stock 10
    python -m bench.seed shop-payments --prefix D --count 10000
    python -m bench.seed gateway-orders --prefix D --count 10000 --template MERCHANT_ORDER_ID
    python -m bench.seed park

Run by bench/run.py with the environment of the side it seeds (the shop's database, or the
sandbox's). Rows look exactly like the ones the code writes:
- shop side: an Order awaiting payment with one line and one PENDING Payment per order, as
  `checkout_place_order` + `payment_start` leave them after a successful pay call, except that
  `next_check_at` is empty (parked) until the scenario releases them all at once;
- gateway side: a COMPLETED SandboxOrder and its COMPLETED attempt per payment, copied from a
  template order that run.py created through the sandbox's own API (pay) and control API
  (complete), so that status answers are the sandbox's own.
Merchant order ids are `BENCH-<prefix>-<n>`, the same on both sides.
"""

from __future__ import annotations

import argparse
import os
import secrets
from datetime import timedelta

import django

AMOUNT_PAISE = 104900  # 1,000 + 49 shipping


def merchant_order_id(prefix: str, n: int) -> str:
    return f"BENCH-{prefix}-{n:06d}"


def catalogue(products: int, stock: int) -> None:
    from shop.models import Product

    Product.objects.filter(sku__startswith="BENCH-").delete()
    Product.objects.bulk_create(
        Product(
            sku=f"BENCH-{i:04d}",
            slug=f"bench-{i:04d}",
            name=f"Bench Product {i:04d}",
            description="A product made up for the benchmark. " * 4,
            price_paise=100000,
            stock=stock,
            gst_rate_bp=1200,
            hsn_code="5208",
        )
        for i in range(products)
    )


def more_products(count: int, active: bool) -> None:
    """Grow (or shrink, with active=False) the catalogue, to count queries per page at size."""
    from shop.models import Product

    if not active:
        Product.objects.filter(sku__startswith="BENCHX-").update(is_active=False)
        return
    Product.objects.bulk_create(
        Product(
            sku=f"BENCHX-{i:05d}",
            slug=f"benchx-{i:05d}",
            name=f"Extra Product {i:05d}",
            price_paise=100000,
            stock=5,
        )
        for i in range(count)
    )


def hot(stock: int) -> None:
    from shop.models import Product

    Product.objects.update_or_create(
        sku="BENCH-HOT",
        defaults={
            "slug": "bench-hot",
            "name": "Bench Hot Product",
            "price_paise": 100000,
            "stock": stock,
            "gst_rate_bp": 1200,
        },
    )


def shop_payments(prefix: str, count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from payments.models import Order, OrderLine, Payment
    from payments.state import OrderStatus, PaymentState

    now = timezone.now()
    with transaction.atomic():
        orders = Order.objects.bulk_create(
            Order(
                number=f"LL-B{prefix}{n:06d}",
                status=OrderStatus.PENDING_PAYMENT,
                subtotal_paise=100000,
                shipping_paise=4900,
                total_paise=AMOUNT_PAISE,
                reserved_until=now + timedelta(hours=2),
                full_name="Asha Rao",
                email=f"bench{n}@example.test",
                phone="9876543210",
                address_line1="12 MG Road",
                city="Bengaluru",
                state="Karnataka",
                postal_code="560001",
            )
            for n in range(count)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                sku="BENCH-0000",
                product_name="Bench Product 0000",
                unit_price_paise=100000,
                quantity=1,
                line_total_paise=100000,
                gst_rate_bp=1200,
                hsn_code="5208",
            )
            for order in orders
        )
        Payment.objects.bulk_create(
            Payment(
                order=order,
                merchant_order_id=merchant_order_id(prefix, n),
                state=PaymentState.PENDING,
                amount_paise=AMOUNT_PAISE,
                gateway_order_id=f"OMO-BENCH-{prefix}-{n:06d}",
                redirect_url="http://127.0.0.1/sandbox/pay/?token=bench",
                expires_at=now + timedelta(minutes=15),
                next_check_at=None,
            )
            for n, order in enumerate(orders)
        )


def gateway_orders(prefix: str, count: int, template: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from sandbox.models import AttemptState, OrderState, SandboxAttempt, SandboxOrder

    model = SandboxOrder.objects.get(merchant_order_id=template)
    model_attempt = model.attempts.get()
    if model.state != OrderState.COMPLETED:
        raise SystemExit(f"template order {template} is {model.state}, not COMPLETED")
    now = timezone.now()
    with transaction.atomic():
        orders = SandboxOrder.objects.bulk_create(
            SandboxOrder(
                merchant_order_id=merchant_order_id(prefix, n),
                order_id=f"OMO-BENCH-{prefix}-{n:06d}",
                amount_paise=AMOUNT_PAISE,
                state=OrderState.COMPLETED,
                expire_after_seconds=900,
                expire_at=now + timedelta(minutes=15),
                meta_info=model.meta_info,
                redirect_url=model.redirect_url,
                message=model.message,
                request_fingerprint=secrets.token_hex(32),
                pay_token=secrets.token_urlsafe(32),
                created_at=now,
                finished_at=now,
            )
            for n in range(count)
        )
        SandboxAttempt.objects.bulk_create(
            SandboxAttempt(
                order=order,
                transaction_id=f"OM-BENCH-{prefix}-{n:06d}",
                method=model_attempt.method,
                payment_mode=model_attempt.payment_mode,
                state=AttemptState.COMPLETED,
                amount_paise=AMOUNT_PAISE,
                instrument=model_attempt.instrument,
                rail=model_attempt.rail,
                payer_details=model_attempt.payer_details,
                source=model_attempt.source,
                created_at=now,
                settled_at=now,
            )
            for n, order in enumerate(orders)
        )


def park() -> None:
    """Nothing is due a status check until a scenario says so (orders left by earlier ones)."""
    from payments.models import Payment

    Payment.objects.filter(next_check_at__isnull=False).update(next_check_at=None)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    parser = argparse.ArgumentParser(prog="python -m bench.seed")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("catalogue")
    p.add_argument("--products", type=int, default=24)
    p.add_argument("--stock", type=int, default=1_000_000)
    p = sub.add_parser("more-products")
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--deactivate", action="store_true")
    p = sub.add_parser("hot")
    p.add_argument("--stock", type=int, default=10)
    p = sub.add_parser("shop-payments")
    p.add_argument("--prefix", required=True)
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("gateway-orders")
    p.add_argument("--prefix", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--template", required=True)
    sub.add_parser("park")
    args = parser.parse_args()
    if args.command == "catalogue":
        catalogue(args.products, args.stock)
    elif args.command == "more-products":
        more_products(args.count, active=not args.deactivate)
    elif args.command == "hot":
        hot(args.stock)
    elif args.command == "shop-payments":
        shop_payments(args.prefix, args.count)
    elif args.command == "gateway-orders":
        gateway_orders(args.prefix, args.count, args.template)
    elif args.command == "park":
        park()


if __name__ == "__main__":
    main()
