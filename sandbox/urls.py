"""Mounted at /sandbox/ only when SANDBOX_ENABLED (config/urls.py).

API paths follow PhonePe's exactly under /sandbox/pg (no trailing slash, no redirects); anything
else under /sandbox/pg answers a JSON 404.
"""

from django.urls import path, re_path

from sandbox import control, embedded, pages, reports, views

app_name = "sandbox"

api_patterns = [
    path("pg/v1/oauth/token", views.oauth_token, name="api-token"),
    path("pg/checkout/v2/pay", views.pay, name="api-pay"),
    path(
        "pg/checkout/v2/order/<str:merchant_order_id>/status",
        views.order_status,
        name="api-order-status",
    ),
    path(
        "pg/checkout/v2/transaction/<str:transaction_id>/status",
        views.transaction_status,
        name="api-transaction-status",
    ),
    path("pg/payments/v2/refund", views.refund, name="api-refund"),
    path(
        "pg/payments/v2/refund/<str:merchant_refund_id>/status",
        views.refund_status,
        name="api-refund-status",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/complete",
        control.complete_order,
        name="control-complete",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/expire",
        control.expire_order,
        name="control-expire",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/chaos",
        control.order_chaos,
        name="control-order-chaos",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/webhooks",
        control.order_webhooks,
        name="control-order-webhooks",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/webhooks/resend",
        control.resend_webhook,
        name="control-webhook-resend",
    ),
    path(
        "pg/_control/refunds/<str:merchant_refund_id>/fail",
        control.fail_refund,
        name="control-refund-fail",
    ),
    path(
        "pg/_control/orders/<str:merchant_order_id>/backdate",
        control.backdate_order,
        name="control-order-backdate",
    ),
    path(
        "pg/_control/refunds/<str:merchant_refund_id>/backdate",
        control.backdate_refund,
        name="control-refund-backdate",
    ),
    re_path(
        r"^pg/_control/settlements/(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})\.csv$",
        reports.control_settlement_csv,
        name="control-settlement-csv",
    ),
    path("pg/_control/chaos", control.global_chaos, name="control-chaos"),
    re_path(r"^pg(?:/(?P<rest>.*))?$", views.not_found, name="api-not-found"),
]

page_patterns = [
    path("", pages.console, name="console"),
    path(
        "console/orders/<str:merchant_order_id>/complete/",
        pages.console_complete,
        name="console-complete",
    ),
    path("instruments/", pages.instruments, name="instruments"),
    path("settlements/", reports.settlements_page, name="settlements"),
    re_path(
        r"^settlements/(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})\.csv$",
        reports.settlement_csv,
        name="settlement-csv",
    ),
    path("pay/", pages.pay_page, name="pay"),
    path("checkout.js", embedded.checkout_js, name="checkout-js"),
]

urlpatterns = api_patterns + page_patterns
