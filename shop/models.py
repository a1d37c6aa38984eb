"""The catalogue and the stock it reserves for orders."""

from __future__ import annotations

from functools import cache

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


@cache
def _product_url_pattern() -> str:
    return reverse("shop:product_detail", kwargs={"slug": "slug-placeholder"})


class Product(models.Model):
    sku = models.CharField("SKU", max_length=32, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price_paise = models.PositiveBigIntegerField(
        "price (paise)",
        validators=[MinValueValidator(100)],
        help_text="Price in paise, GST included.",
    )
    stock = models.PositiveIntegerField(
        default=0, help_text="Units on the shelf, not counting those reserved by open orders."
    )
    gst_rate_bp = models.PositiveIntegerField(
        "GST rate (basis points)", default=1800, help_text="500 = 5%. GST is included in the price."
    )
    hsn_code = models.CharField("HSN code", max_length=8, blank=True)
    image = models.ImageField(upload_to="products/", blank=True)
    image_alt = models.CharField("image description", max_length=200, blank=True)
    is_active = models.BooleanField("on sale", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_paise__gte=100), name="product_price_min_100"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # Resolved once, not once per product card: reverse() was a third of the list page's time.
        return _product_url_pattern().replace("slug-placeholder", self.slug)


class StockReservation(models.Model):
    """Units taken off the shelf for an order: held while it can be paid, released at most once."""

    order = models.ForeignKey(
        "payments.Order", related_name="stock_reservations", on_delete=models.PROTECT
    )
    product = models.ForeignKey(Product, related_name="reservations", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="one_reservation_per_line"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="reservation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product} for {self.order}"
