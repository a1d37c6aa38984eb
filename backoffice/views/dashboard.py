from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse

from backoffice.chart import bar_chart
from backoffice.dashboard import CHART_DAYS, dashboard
from backoffice.views.common import admin_page


def dashboard_view(request: HttpRequest) -> TemplateResponse:
    data = dashboard()
    context = {"data": data, "chart": bar_chart(data.revenue_by_day), "chart_days": CHART_DAYS}
    return admin_page(request, "backoffice/dashboard.html", "Operations dashboard", context)
