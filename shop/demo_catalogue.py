"""The demo catalogue: a dozen products with generated images, prices in INR and stock."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    price_paise: int
    stock: int
    colour: tuple[int, int, int]
    shape: str
    description: str


DEMO_PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct("TEA-ASM-250", "Assam Breakfast Tea, 250 g", 44900, 40, (150, 72, 38), "leaf",
                "Malty, brisk CTC from a family garden near Dibrugarh. Brews strong enough for milk and sugar."),
    DemoProduct("TEA-DJF-100", "Darjeeling First Flush, 100 g", 89900, 12, (170, 160, 60), "leaf",
                "Spring-picked whole leaf with a floral, muscatel finish. Best without milk, 3 minutes at 85°C."),
    DemoProduct("TEA-MSL-200", "Masala Chai Blend, 200 g", 39900, 50, (176, 96, 40), "cup",
                "Assam CTC with cardamom, ginger, cinnamon, clove and black pepper, ground fresh each week."),
    DemoProduct("TEA-NLG-100", "Nilgiri Frost Oolong, 100 g", 74900, 3, (70, 120, 110), "leaf",
                "A rare winter-frost oolong from the Blue Mountains: bright, buttery, re-steeps three times."),
    DemoProduct("TEA-KHW-100", "Kashmiri Kahwa, 100 g", 54900, 20, (196, 150, 60), "cup",
                "Green tea with saffron, almond slivers and cardamom, the way it is served in Srinagar."),
    DemoProduct("HOM-TWL-2", "Handloom Cotton Towels, set of 2", 119900, 15, (60, 110, 160), "stripes",
                "Pit-loom woven cotton from Kerala: light, quick-drying and softer with every wash."),
    DemoProduct("HOM-RUN-1", "Khadi Table Runner", 89900, 8, (210, 190, 150), "stripes",
                "Hand-spun, hand-woven khadi, 180 × 35 cm, with hand-knotted tassels."),
    DemoProduct("KIT-KUL-6", "Terracotta Kulhads, set of 6", 64900, 25, (180, 90, 60), "cup",
                "Wheel-thrown in Khurja and kiln-fired. The earthy smell makes chai taste like the station stall."),
    DemoProduct("KIT-STR-1", "Brass Tea Strainer", 34900, 30, (190, 150, 50), "circle",
                "Fine brass mesh with a rosewood handle. Sits on a cup or a kettle spout."),
    DemoProduct("HOM-COS-1", "Block-Print Tea Cosy", 79900, 1, (160, 50, 70), "circle",
                "Hand block-printed in Bagru with natural dyes, quilted cotton lining. The last one of this batch."),
    DemoProduct("KIT-TRY-1", "Sheesham Wood Tea Tray", 189900, 6, (110, 70, 40), "tray",
                "Solid sheesham with brass inlay handles, 40 × 28 cm. Oiled, not lacquered."),
    DemoProduct("HOM-IKT-1", "Ikat Cushion Cover", 99900, 0, (50, 60, 120), "stripes",
                "Double ikat from Pochampally, 45 × 45 cm, hidden zip. Back in stock soon."),
)  # fmt: skip

# GST and HSN by SKU prefix: tea 5% (0902), cotton textiles 5% (6302/6304), kitchenware 12%.
_TAX_BY_SKU = {
    "TEA-": (500, "0902"),
    "HOM-TWL": (500, "6302"),
    "HOM-RUN": (500, "6302"),
    "HOM-COS": (500, "6304"),
    "HOM-IKT": (500, "6304"),
    "KIT-KUL": (1200, "6912"),
    "KIT-STR": (1200, "7418"),
    "KIT-TRY": (1200, "4419"),
}


def tax_for(sku: str) -> tuple[int, str]:
    """(GST rate in basis points, HSN code) for a demo product."""
    for prefix, tax in _TAX_BY_SKU.items():
        if sku.startswith(prefix):
            return tax
    return 1800, ""


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def render_product_image(product: DemoProduct, width: int = 800, height: int = 600) -> bytes:
    """A simple illustration: a soft background in the product's colour, a motif, its name."""
    r, g, b = product.colour
    image = Image.new("RGB", (width, height), (250, 247, 240))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # vertical wash from a light tint to the product colour
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=(
                int(250 + (r - 250) * t * 0.55),
                int(247 + (g - 247) * t * 0.55),
                int(240 + (b - 240) * t * 0.55),
            ),
        )
    cx, cy = width // 2, height // 2 - 40
    ink = (r, g, b)
    if product.shape == "leaf":
        draw.ellipse([cx - 150, cy - 70, cx + 150, cy + 70], fill=ink)
        draw.line([cx - 150, cy, cx + 150, cy], fill=(250, 247, 240), width=6)
    elif product.shape == "cup":
        draw.rounded_rectangle([cx - 110, cy - 80, cx + 90, cy + 100], radius=30, fill=ink)
        draw.ellipse([cx + 60, cy - 40, cx + 150, cy + 50], outline=ink, width=22)
        for dx in (-60, -10, 40):
            draw.arc([cx + dx - 20, cy - 170, cx + dx + 20, cy - 100], 200, 340, fill=ink, width=8)
    elif product.shape == "stripes":
        for i in range(7):
            shade = tuple(min(255, c + 25 * (i % 2)) for c in product.colour)
            draw.rectangle([cx - 180 + i * 52, cy - 110, cx - 140 + i * 52, cy + 110], fill=shade)
    elif product.shape == "tray":
        draw.rounded_rectangle([cx - 200, cy - 70, cx + 200, cy + 90], radius=24, fill=ink)
        draw.rounded_rectangle(
            [cx - 170, cy - 45, cx + 170, cy + 65], radius=16, outline=(250, 247, 240), width=5
        )
    else:
        draw.ellipse([cx - 120, cy - 120, cx + 120, cy + 120], fill=ink)
        draw.ellipse([cx - 70, cy - 70, cx + 70, cy + 70], outline=(250, 247, 240), width=8)
    title = product.name.split(",")[0]
    font = _font(40)
    box = draw.textbbox((0, 0), title, font=font)
    draw.text(((width - (box[2] - box[0])) / 2, height - 120), title, fill=(31, 42, 36), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
