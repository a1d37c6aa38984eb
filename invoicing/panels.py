"""A panel for the payments admin's order page (settings.PAYMENTS_ORDER_PANELS): the order's
tax invoice and credit notes, each with its admin download link."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from invoicing.models import CreditNote, Invoice
from payments.models import Order
from payments.money import format_inr


def order_documents_panel(order: Order) -> tuple[str, SafeString] | None:
    """The order's documents, or nothing for an order with no invoice."""
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        return None
    rows: list[tuple[str, str, str, str]] = [
        (
            "Tax invoice",
            invoice.number,
            format_inr(invoice.total_paise),
            _pdf_url("invoice", invoice),
        )
    ]
    rows += [
        ("Credit note", note.number, format_inr(note.total_paise), _pdf_url("creditnote", note))
        for note in CreditNote.objects.filter(invoice=invoice).order_by("sequence")
    ]
    html = format_html(
        "<ul>{}</ul>",
        format_html_join("", '<li>{} {} ({}) <a href="{}">Download PDF</a></li>', rows),
    )
    return ("Tax documents", html)


def _pdf_url(model_name: str, document: Invoice | CreditNote) -> str:
    return reverse(f"admin:invoicing_{model_name}_pdf", args=[document.pk])
