from django.urls import path

from backoffice.permissions import backoffice_view
from backoffice.views import dashboard, exports, reconciliation, settlements

app_name = "backoffice"

urlpatterns = [
    path("dashboard/", backoffice_view(dashboard.dashboard_view), name="dashboard"),
    path("export/", backoffice_view(exports.export_view), name="export"),
    path(
        "reconciliation/",
        backoffice_view(reconciliation.reconciliation_view, finance=True),
        name="reconciliation",
    ),
    path("settlements/", backoffice_view(settlements.settlements_view), name="settlements"),
    path(
        "settlements/upload/",
        backoffice_view(settlements.settlement_upload_view, finance=True),
        name="settlement_upload",
    ),
]
