from django.urls import path

from payments import views, webhook_views

app_name = "payments"
urlpatterns = [
    path("payments/return/<str:merchant_order_id>/", views.payment_return, name="return"),
    path("payments/webhooks/phonepe/", webhook_views.phonepe_webhook, name="webhook_phonepe"),
    path("orders/<str:token>/", views.order_detail, name="order_detail"),
    path("orders/<str:token>/status.json", views.order_status, name="order_status"),
    path("orders/<str:token>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:token>/verify/", views.order_verify, name="order_verify"),
]
