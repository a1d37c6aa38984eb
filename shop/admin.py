from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import admin

from payments.money import format_inr
from shop.models import Product, StockReservation


class ProductForm(forms.ModelForm):
    # Operators type rupees; the database keeps integer paise.
    price_rupees = forms.DecimalField(
        label="Price (₹, GST included)", min_value=Decimal("1.00"), max_digits=12, decimal_places=2
    )

    class Meta:
        model = Product
        fields = [
            "name", "slug", "sku", "stock", "is_active", "gst_rate_bp", "hsn_code",
            "description", "image", "image_alt",
        ]  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.initial["price_rupees"] = Decimal(self.instance.price_paise) / 100

    def save(self, commit: bool = True) -> Product:
        rupees: Decimal = self.cleaned_data["price_rupees"]
        self.instance.price_paise = int(
            (rupees * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        )
        return super().save(commit=commit)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "sku", "price", "stock", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["stock", "is_active"]
    search_fields = ["name", "sku"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name", "slug", "sku", "price_rupees", "stock", "is_active", "gst_rate_bp", "hsn_code",
        "description", "image", "image_alt",
    ]  # fmt: skip

    @admin.display(description="Price", ordering="price_paise")
    def price(self, product: Product) -> str:
        return format_inr(product.price_paise)


@admin.register(StockReservation)
class StockReservationAdmin(admin.ModelAdmin):
    list_display = ["order", "product", "quantity", "created_at", "released_at"]
    list_select_related = ["order", "product"]
    list_filter = ["released_at"]
    search_fields = ["order__number", "product__sku"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
