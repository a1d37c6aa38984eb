from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse

from backoffice.forms import DateRangeForm
from backoffice.reconciler import reconcile
from backoffice.views.common import admin_page

TITLE = "Reconcile with the gateway"
TEMPLATE = "backoffice/reconciliation.html"


def reconciliation_view(request: HttpRequest) -> TemplateResponse:
    """GET: the form. POST: ask the gateway about the range (slow: one call per item)."""
    if request.method != "POST":
        return admin_page(request, TEMPLATE, TITLE, {"form": DateRangeForm.last_days(1)})
    form = DateRangeForm(request.POST)
    if not form.is_valid():
        return admin_page(request, TEMPLATE, TITLE, {"form": form}, status=400)
    result = reconcile(
        date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
    )
    return admin_page(request, TEMPLATE, TITLE, {"form": form, "result": result})
