from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice import conf
from backoffice.exceptions import SettlementFileInvalid
from backoffice.forms import DateRangeForm, SettlementUploadForm
from backoffice.money import rupees
from backoffice.permissions import can_do_finance
from backoffice.selectors import settlement_overview
from backoffice.settlements import settlement_report_upload
from backoffice.views.common import admin_page

ROWS_SHOWN = 500


def settlements_view(request: HttpRequest) -> TemplateResponse:
    """Completed payments of a range with their settlement status; ?status= narrows the table."""
    context: dict[str, object] = {
        "settlement_days": conf.settlement_days(),
        "fee_percent": conf.fee_percent(),
        "fee_tax_percent": conf.fee_tax_percent(),
        "can_upload": can_do_finance(request.user),
    }
    if "date_from" not in request.GET:
        form = DateRangeForm.last_days(7)
    else:
        form = DateRangeForm(request.GET)
        if not form.is_valid():
            context["form"] = form
            return admin_page(
                request, "backoffice/settlements.html", "Settlements", context, status=400
            )
    # An unbound form proposes a range; the page shows that range straight away.
    date_from = form.cleaned_data["date_from"] if form.is_bound else form.initial["date_from"]
    date_to = form.cleaned_data["date_to"] if form.is_bound else form.initial["date_to"]
    overview = settlement_overview(date_from=date_from, date_to=date_to)
    wanted = request.GET.get("status", "")
    rows = [row for row in overview.rows if not wanted or row.outcome.status == wanted]
    context.update(
        form=form,
        overview=overview,
        status_filter=wanted,
        rows=rows[:ROWS_SHOWN],
        rows_hidden=max(len(rows) - ROWS_SHOWN, 0),
        base_query=f"date_from={date_from:%Y-%m-%d}&date_to={date_to:%Y-%m-%d}",
    )
    return admin_page(request, "backoffice/settlements.html", "Settlements", context)


def settlement_upload_view(request: HttpRequest) -> HttpResponseBase:
    template, title = "backoffice/settlement_upload.html", "Upload a settlement file"
    if request.method != "POST":
        return admin_page(request, template, title, {"form": SettlementUploadForm()})
    form = SettlementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return admin_page(request, template, title, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = settlement_report_upload(
            file_name=upload.name or "settlement.csv",
            content=upload.read(),
            uploaded_by=request.user if request.user.is_authenticated else None,
        )
    except SettlementFileInvalid as error:
        context = {
            "form": form,
            "error": error,
            "hidden_problems": len(error.problems) - error.SHOWN,
        }
        return admin_page(request, template, title, context, status=400)
    if result.report is None:
        messages.warning(
            request,
            f"Nothing new: all {result.duplicates} lines of this file were already uploaded.",
        )
        return redirect(reverse("backoffice:settlement_upload"))
    report = result.report
    summary = (
        f"Saved {result.saved} lines (net {rupees(report.net_paise)} INR) settled from "
        f"{report.settlement_date_from} to {report.settlement_date_to}."
    )
    if result.duplicates:
        summary += f" Skipped {result.duplicates} lines already uploaded."
    messages.success(request, summary)
    if result.unmatched or result.mismatched:
        messages.warning(
            request,
            f"{result.mismatched} lines differ from our records and {result.unmatched} match "
            "nothing here: see the settlement lines.",
        )
    return redirect(reverse("admin:backoffice_settlementreport_change", args=[report.pk]))
