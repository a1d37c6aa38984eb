"""The session cart: product ids and quantities; prices are always read from the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from shop.models import Product

SESSION_KEY = "cart"
MAX_QUANTITY_PER_LINE = 10


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def name(self) -> str:
        return self.product.name

    @property
    def line_total_paise(self) -> int:
        return self.product.price_paise * self.quantity

    @property
    def max_quantity(self) -> int:
        return min(self.product.stock, MAX_QUANTITY_PER_LINE)


def shipping_for(subtotal_paise: int) -> int:
    if subtotal_paise == 0 or subtotal_paise >= settings.SHOP_FREE_SHIPPING_FROM_PAISE:
        return 0
    return int(settings.SHOP_SHIPPING_FEE_PAISE)


class Cart:
    def __init__(self, session: SessionBase) -> None:
        self._session = session
        raw = session.get(SESSION_KEY) or {}
        self._items: dict[str, int] = {
            str(k): int(v) for k, v in raw.items() if str(k).isdigit() and int(v) > 0
        }
        self._lines: list[CartLine] | None = None

    def __len__(self) -> int:
        return sum(self._items.values())

    def quantity_of(self, product: Product) -> int:
        return self._items.get(str(product.pk), 0)

    def set(self, product: Product, quantity: int) -> int:
        """Set a line's quantity, limited by stock; returns the quantity kept (0 removes it)."""
        quantity = max(0, min(quantity, product.stock, MAX_QUANTITY_PER_LINE))
        if quantity == 0 or not product.is_active:
            self._items.pop(str(product.pk), None)
            quantity = 0
        else:
            self._items[str(product.pk)] = quantity
        self._save()
        return quantity

    def add(self, product: Product, quantity: int = 1) -> int:
        return self.set(product, self.quantity_of(product) + quantity)

    def remove(self, product: Product) -> None:
        self._items.pop(str(product.pk), None)
        self._save()

    def clear(self) -> None:
        self._items = {}
        self._save()

    def lines(self) -> list[CartLine]:
        """The lines with current products (one query); gone or inactive products drop out."""
        if self._lines is None:
            products = Product.objects.filter(pk__in=self._items, is_active=True).in_bulk()
            self._lines = [
                CartLine(product=products[int(pk)], quantity=qty)
                for pk, qty in self._items.items()
                if int(pk) in products
            ]
        return self._lines

    @property
    def subtotal_paise(self) -> int:
        return sum(line.line_total_paise for line in self.lines())

    @property
    def shipping_paise(self) -> int:
        return shipping_for(self.subtotal_paise)

    @property
    def total_paise(self) -> int:
        return self.subtotal_paise + self.shipping_paise

    def shortages(self) -> list[CartLine]:
        """Lines asking for more than is on the shelf now."""
        return [line for line in self.lines() if line.quantity > line.product.stock]

    def _save(self) -> None:
        self._session[SESSION_KEY] = dict(self._items)
        self._session.modified = True
        self._lines = None
