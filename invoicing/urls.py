"""Customer downloads, under the order's signed link. Mounted before payments.urls."""

from django.urls import path

from invoicing import views

app_name = "invoicing"
urlpatterns = [
    path("orders/<str:token>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path(
        "orders/<str:token>/credit-notes/<int:credit_note_id>.pdf",
        views.credit_note_pdf,
        name="credit_note_pdf",
    ),
]
