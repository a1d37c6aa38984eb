"""Rendering a document's snapshot (invoicing.content) to PDF with reportlab.

A pure function of the snapshot: no database, no settings, no clock. reportlab's invariant mode
leaves out the creation time and the random document id, so the same snapshot renders to the
same bytes (with the same reportlab), which is how a lost file is re-created.

The font is Bitstream Vera, shipped inside reportlab, embedded so every viewer shows the same
glyphs. It has no rupee sign, so amounts are printed in columns headed "INR".
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from payments.money import format_inr

if TYPE_CHECKING:
    from invoicing.content import Content

FONT, FONT_BOLD = "InvoiceVera", "InvoiceVeraBold"
pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))

PAGE_MARGIN = 14 * mm
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=8.5, leading=11)
SMALL = ParagraphStyle("small", parent=TEXT, fontSize=7.5, leading=9.5)
BOLD = ParagraphStyle("bold", parent=TEXT, fontName=FONT_BOLD)
TITLE = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=20, alignment=TA_RIGHT)
CELL = ParagraphStyle("cell", parent=TEXT, fontSize=7.5, leading=9)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
GRID = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")


def _p(text: str, style: ParagraphStyle = TEXT) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _money(paise: int | None) -> str:
    return "" if paise is None else format_inr(paise, symbol=False)


def format_rate(rate_bp: int | None) -> str:
    """500 -> '5%', 1250 -> '12.5%', None -> 'Mixed'."""
    if rate_bp is None:
        return "Mixed"
    whole, fraction = divmod(rate_bp, 100)
    return f"{whole}.{fraction:02d}".rstrip("0") + "%" if fraction else f"{whole}%"


def format_date(iso: str) -> str:
    """'2026-11-27' -> '27-11-2026' (the order Indian documents use)."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}-{month}-{year}"


def _header(doc: Content) -> Table:
    seller = doc["seller"]
    seller_lines = [
        _p(seller["name"], BOLD),
        *(_p(line) for line in seller["address_lines"]),
        _p(f"GSTIN: {seller['gstin']}"),
        _p(f"State: {seller['state']}, State code: {seller['state_code']}"),
    ]
    table = Table([[seller_lines, _p(doc["title"], TITLE)]], colWidths=["60%", "40%"])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _particulars(doc: Content) -> Table:
    is_credit = doc["kind"] == "credit_note"
    label = "Credit note" if is_credit else "Invoice"
    left = [
        (f"{label} number", doc["number"]),
        (f"{label} date", format_date(doc["date"])),
    ]
    if is_credit:
        left.append(("Against invoice", doc["original_invoice_number"]))
        left.append(("Invoice date", format_date(doc["original_invoice_date"])))
    left += [("Order number", doc["order_number"]), ("Order date", format_date(doc["order_date"]))]
    right = [("Place of supply", doc["place_of_supply"])]
    if doc.get("payment_reference"):
        reference = "Refund reference" if is_credit else "Payment reference"
        right.append((reference, doc["payment_reference"]))
    if is_credit and doc.get("reason"):
        right.append(("Reason", doc["reason"]))
    rows = (
        [[_p(f"{k}:", BOLD), _p(v)] for k, v in left],
        [[_p(f"{k}:", BOLD), _p(v)] for k, v in right],
    )
    inner = [Table(part, colWidths=[37 * mm, None]) for part in rows]
    for part in inner:
        part.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
    outer = Table([inner], colWidths=["50%", "50%"])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return outer


def _parties(doc: Content) -> Table:
    buyer = doc["buyer"]
    block = [_p(buyer["name"], BOLD), *(_p(line) for line in buyer["address_lines"])]
    if buyer.get("gstin"):
        block.append(_p(f"GSTIN: {buyer['gstin']}"))
    table = Table(
        [[_p("Bill to", BOLD), _p("Ship to", BOLD)], [block, list(block)]],
        colWidths=["50%", "50%"],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ]
        )
    )
    return table


def _items(doc: Content) -> Table:
    intra = bool(doc["intra_state"])
    tax_heads = ["CGST", "SGST"] if intra else ["IGST"]
    header = ["#", "Description", "HSN/SAC", "Qty", "Unit price", "Taxable value", "GST rate"]
    header += [*tax_heads, "Total"]
    # Text columns (#, description, HSN/SAC) left, numbers right.
    data: list[list[object]] = [
        [_p(h, CELL if i < 3 else CELL_RIGHT) for i, h in enumerate(header)]
    ]

    def tax_cells(cgst_paise: int, sgst_paise: int, igst_paise: int) -> list[str]:
        return [_money(cgst_paise), _money(sgst_paise)] if intra else [_money(igst_paise)]

    for index, row in enumerate(doc["rows"], start=1):
        data.append(
            [
                str(index),
                _p(row["description"], CELL),
                row["hsn"],
                "" if row["quantity"] is None else str(row["quantity"]),
                _money(row["unit_price_paise"]),
                _money(row["taxable_paise"]),
                format_rate(row["rate_bp"]),
                *tax_cells(row["cgst_paise"], row["sgst_paise"], row["igst_paise"]),
                _money(row["total_paise"]),
            ]
        )
    totals = doc["totals"]
    data.append(
        [
            "",
            _p("Total (INR)", BOLD),
            "",  # HSN/SAC
            "",  # quantity
            "",  # unit price
            _money(totals["taxable_paise"]),
            "",
            *tax_cells(totals["cgst_paise"], totals["sgst_paise"], totals["igst_paise"]),
            _money(totals["total_paise"]),
        ]
    )
    widths = [7, None, 17, 9, 19, 21, 13, *([17, 17] if intra else [20]), 21]
    table = Table(data, colWidths=[w * mm if w else None for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 7.5),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _summary(doc: Content) -> list[Flowable]:
    totals = doc["totals"]
    lines = [("Taxable value", totals["taxable_paise"])]
    if doc["intra_state"]:
        lines += [("CGST", totals["cgst_paise"]), ("SGST", totals["sgst_paise"])]
    else:
        lines.append(("IGST", totals["igst_paise"]))
    label = "Credit note total" if doc["kind"] == "credit_note" else "Grand total"
    lines.append((f"{label} (INR)", totals["total_paise"]))
    table = Table(
        [
            [_p(k, BOLD if i == len(lines) - 1 else TEXT), _money(v)]
            for i, (k, v) in enumerate(lines)
        ],
        colWidths=[45 * mm, 30 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONT", (1, 0), (1, -1), FONT, 8.5),
                ("FONT", (1, -1), (1, -1), FONT_BOLD, 8.5),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, GRID),
            ]
        )
    )
    return [
        table,
        Spacer(1, 3 * mm),
        _p(f"Amount in words: {doc['amount_in_words']}", BOLD),
        Spacer(1, 2 * mm),
        *(_p(note) for note in doc["notes"]),
    ]


def _signature(doc: Content) -> list[Flowable]:
    return [
        Spacer(1, 8 * mm),
        _p(f"For {doc['seller']['name']}", BOLD),
        Spacer(1, 8 * mm),
        _p("Authorised signatory"),
        Spacer(1, 4 * mm),
        _p("This is a computer-generated document and needs no signature.", SMALL),
    ]


def render_pdf(doc: Content) -> bytes:
    """The PDF of a document snapshot. Same snapshot, same bytes."""
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=f"{doc['title']} {doc['number']}",
        author=doc["seller"]["name"],
        subject=f"Order {doc['order_number']}",
        creator=doc["seller"]["name"],
        invariant=1,
    )
    story: list[Flowable] = [
        _header(doc),
        Spacer(1, 4 * mm),
        _particulars(doc),
        Spacer(1, 4 * mm),
        _parties(doc),
        Spacer(1, 4 * mm),
        _items(doc),
        Spacer(1, 3 * mm),
        *_summary(doc),
        *_signature(doc),
    ]
    template.build(story)
    return buffer.getvalue()
