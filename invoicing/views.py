"""Customers download their documents through the order's signed link (the same token as the
order page); anything else answers 404, so a link reveals nothing about other orders."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from invoicing.files import Document, pdf_read
from invoicing.models import CreditNote, Invoice
from payments.access import order_number_from_token
from payments.models import Order


def pdf_response(document: Document, *, as_attachment: bool = False) -> HttpResponse:
    response = HttpResponse(pdf_read(document), content_type="application/pdf")
    disposition = content_disposition_header(as_attachment, document.filename)
    if disposition:
        response["Content-Disposition"] = disposition
    # Personal data: browsers may keep it, shared caches may not.
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _order_for_token(token: str) -> Order:
    number = order_number_from_token(token)
    if number is None:
        raise Http404("No such order.")
    return get_object_or_404(Order, number=number)


@require_GET
def invoice_pdf(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    return pdf_response(get_object_or_404(Invoice, order=order))


@require_GET
def credit_note_pdf(request: HttpRequest, token: str, credit_note_id: int) -> HttpResponse:
    order = _order_for_token(token)
    return pdf_response(get_object_or_404(CreditNote, pk=credit_note_id, refund__order=order))
