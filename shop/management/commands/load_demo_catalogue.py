from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.text import slugify

from shop.demo_catalogue import DEMO_PRODUCTS, render_product_image, tax_for
from shop.models import Product


class Command(BaseCommand):
    help = "Load the demo catalogue (12 products with images). Existing products keep their stock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-stock",
            action="store_true",
            help="Set every demo product's stock back to its demo level.",
        )

    def handle(self, *args: Any, reset_stock: bool = False, **options: Any) -> None:
        created = 0
        for demo in DEMO_PRODUCTS:
            with transaction.atomic():
                product, was_created = Product.objects.get_or_create(
                    sku=demo.sku,
                    defaults={
                        "name": demo.name,
                        "slug": slugify(demo.name),
                        "price_paise": demo.price_paise,
                        "stock": demo.stock,
                        "description": demo.description,
                        "gst_rate_bp": tax_for(demo.sku)[0],
                        "hsn_code": tax_for(demo.sku)[1],
                        "image_alt": f"Illustration of {demo.name.split(',')[0].lower()}",
                    },
                )
                if reset_stock and not was_created:
                    product.stock = demo.stock
                    product.save(update_fields=["stock", "updated_at"])
                if not product.hsn_code:  # catalogues loaded before tax details existed
                    product.gst_rate_bp, product.hsn_code = tax_for(demo.sku)
                    product.save(update_fields=["gst_rate_bp", "hsn_code", "updated_at"])
                if not product.image.name or not product.image.storage.exists(product.image.name):
                    product.image.save(
                        f"{product.slug}.png", ContentFile(render_product_image(demo)), save=True
                    )
            created += was_created
        total = Product.objects.count()
        self.stdout.write(f"Demo catalogue: {created} products created, {total} in the shop.")
