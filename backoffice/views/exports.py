from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

from backoffice.exports import csv_lines, order_rows, payment_rows
from backoffice.forms import ExportForm
from backoffice.views.common import admin_page

TITLE = "Export orders or payments (CSV)"


def export_view(request: HttpRequest) -> HttpResponseBase:
    """GET without parameters: the form. GET with them: the file, or the form with errors."""
    if "kind" not in request.GET:
        form = ExportForm.last_days(30)
        return admin_page(request, "backoffice/export.html", TITLE, {"form": form})
    form = ExportForm(request.GET)
    if not form.is_valid():
        return admin_page(request, "backoffice/export.html", TITLE, {"form": form}, status=400)
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    kind = form.cleaned_data["kind"]
    rows = order_rows if kind == ExportForm.ORDERS else payment_rows
    response = StreamingHttpResponse(
        csv_lines(rows(date_from, date_to)), content_type="text/csv; charset=utf-8"
    )
    filename = f"{kind}-{date_from:%Y-%m-%d}-to-{date_to:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
