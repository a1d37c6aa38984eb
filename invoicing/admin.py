"""Operators' view of issued documents: read-only (an issued document never changes), with a
"Download PDF" link served by a view that needs the model's view permission."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from invoicing.files import Document
from invoicing.models import CreditNote, Invoice
from invoicing.pdf import format_date
from invoicing.views import pdf_response
from payments.models import Order
from payments.money import format_inr


class IssuedDocumentAdmin(admin.ModelAdmin):
    list_filter = ["financial_year"]
    date_hierarchy = "issued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        download = path(
            "<int:pk>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name=f"{opts.app_label}_{opts.model_name}_pdf",
        )
        return [download, *super().get_urls()]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Staff only (admin_view), and only with the view permission of this kind of document."""
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            raise PermissionDenied
        document = get_object_or_404(self.model, pk=pk)
        return pdf_response(document, as_attachment=True)

    @admin.display(description="PDF")
    def download(self, document: Document) -> str:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_pdf", args=[document.pk])
        return format_html('<a href="{}">Download PDF</a>', url)

    @admin.display(description="Date", ordering="issued_at")
    def issued_on(self, document: Document) -> str:
        return format_date(document.content.get("date", ""))

    @admin.display(description="Taxable value")
    def taxable(self, document: Document) -> str:
        return format_inr(document.taxable_paise)

    @admin.display(description="GST")
    def tax(self, document: Document) -> str:
        return format_inr(document.tax_paise)

    @admin.display(description="Total", ordering="total_paise")
    def total(self, document: Document) -> str:
        return format_inr(document.total_paise)


def _order_link(order: Order) -> str:
    url = reverse("admin:payments_order_change", args=[order.pk])
    return format_html('<a href="{}">{}</a>', url, order.number)


@admin.register(Invoice)
class InvoiceAdmin(IssuedDocumentAdmin):
    list_display = ["number", "order_link", "issued_on", "total", "download"]
    list_select_related = ["order"]
    search_fields = ["number", "order__number"]
    fields = readonly_fields = (
        "number", "order_link", "financial_year", "sequence", "issued_at", "taxable", "tax",
        "total", "pdf_sha256", "download",
    )  # fmt: skip

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, invoice: Invoice) -> str:
        return _order_link(invoice.order)


@admin.register(CreditNote)
class CreditNoteAdmin(IssuedDocumentAdmin):
    list_display = ["number", "order_link", "invoice_number", "issued_on", "total", "download"]
    list_select_related = ["invoice", "refund__order"]
    search_fields = ["number", "refund__order__number", "invoice__number"]
    fields = readonly_fields = (
        "number", "order_link", "invoice_number", "refund_reference", "financial_year",
        "sequence", "issued_at", "taxable", "tax", "total", "pdf_sha256", "download",
    )  # fmt: skip

    @admin.display(description="Order", ordering="refund__order__number")
    def order_link(self, note: CreditNote) -> str:
        return _order_link(note.refund.order)

    @admin.display(description="Against invoice", ordering="invoice__number")
    def invoice_number(self, note: CreditNote) -> str:
        url = reverse("admin:invoicing_invoice_change", args=[note.invoice_id])
        return format_html('<a href="{}">{}</a>', url, note.invoice.number)

    @admin.display(description="Refund")
    def refund_reference(self, note: CreditNote) -> str:
        return note.refund.merchant_refund_id
