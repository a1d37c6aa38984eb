"""The shopper's side of a payment: the gateway's return, the order page and its status JSON."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payments.access import order_number_from_token, order_session_has_access
from payments.exceptions import PaymentsError
from payments.gateways.base import GatewayError
from payments.messages import payment_failure_text
from payments.models import Order, Payment, PaymentEvent
from payments.services.payments import payment_refresh, payment_start, payment_watch
from payments.state import OrderStatus, PaymentState

logger = logging.getLogger(__name__)


def site_url(request: HttpRequest) -> str:
    """The origin the shopper is using (validated against ALLOWED_HOSTS by Django)."""
    return request.build_absolute_uri("/").rstrip("/")


def _order_for_token(token: str) -> Order:
    number = order_number_from_token(token)
    if number is None:
        raise Http404("No such order.")
    return get_object_or_404(Order, number=number)


def shopper_view(order: Order, latest: Payment | None) -> str:
    """Which page the shopper sees: paid, failed, pending, unreachable, closed, attention..."""
    if order.status == OrderStatus.PAID:
        return "paid"
    if order.status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        return "refunded"
    if order.status in OrderStatus.released():
        return "closed"
    if order.status == OrderStatus.NEEDS_ATTENTION:
        return "attention"
    if order.status == OrderStatus.PAYMENT_FAILED or latest is None:
        return "failed"
    if latest.is_live and not latest.redirect_url:
        return "unreachable"  # the pay call was never answered; the shopper never saw a pay page
    if latest.is_live and latest.last_checked_at is not None and latest.gateway_attempts == 0:
        return "not_started"  # the gateway has the order but the shopper never tried to pay
    if latest.is_live:
        return "pending"
    return "failed"


# The order page asks the gateway itself when what we know about a live payment is older than this.
PAGE_CHECK_AFTER = timedelta(seconds=10)


def _refresh_if_stale(order: Order, latest: Payment | None) -> tuple[Order, Payment | None]:
    """A shopper opening the order page deserves the gateway's current word on a live payment."""
    if latest is None or not latest.is_live or not latest.redirect_url:
        return order, latest
    if latest.last_checked_at and timezone.now() - latest.last_checked_at < PAGE_CHECK_AFTER:
        return order, latest
    try:
        latest = payment_refresh(payment_id=latest.pk, source=PaymentEvent.Source.RETURN).payment
    except GatewayError as exc:
        logger.warning("status check for the order page failed for %s: %s", latest, exc.message)
        return order, latest
    return Order.objects.get(pk=order.pk), latest


@require_GET
def order_detail(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for_token(token)
    order, latest = _refresh_if_stale(order, order.payments.order_by("-created_at").first())
    view = shopper_view(order, latest)
    if view == "pending" and latest is not None:
        payment_watch(payment=latest)
    return render(
        request, "payments/order_detail.html", _result_context(order, latest, view, token)
    )


def _result_context(order: Order, latest: Payment | None, view: str, token: str) -> dict:
    failed_payment = order.payments.filter(
        state__in=[PaymentState.FAILED, PaymentState.EXPIRED]
    ).first()
    return {
        "order": order,
        "view": view,
        "latest_payment": latest,
        "failure_text": payment_failure_text(failed_payment) if view == "failed" else "",
        "token": token,
        "pay_mode": settings.PAYMENTS_CHECKOUT_MODE,
    }


@require_GET
def order_status(request: HttpRequest, token: str) -> JsonResponse:
    """Small JSON for the pending page's poll: is the outcome known yet?"""
    order = _order_for_token(token)
    latest = order.payments.order_by("-created_at").first()
    view = shopper_view(order, latest)
    if view == "pending" and latest is not None:
        payment_watch(payment=latest)
    return JsonResponse(
        {
            "order": order.number,
            "status": order.status,
            "status_display": order.get_status_display(),
            "payment_state": latest.state if latest else None,
            "view": view,
            "final": view != "pending",
        },
        headers={"Cache-Control": "no-store"},
    )


@require_http_methods(["GET", "POST"])
def order_pay(request: HttpRequest, token: str) -> HttpResponse:
    """The payment step. GET: pay on this page (the gateway's page in an iframe), or switch to
    the gateway's own page. POST: start a new payment, or resume the live one, then go to the
    gateway (mode "redirect") or back here to open it in place (mode "embedded")."""
    order = _order_for_token(token)
    if request.method == "GET":
        return _pay_step(request, order, token)
    mode = request.POST.get("mode") or settings.PAYMENTS_CHECKOUT_MODE
    try:
        payment = payment_start(order=order, site_url=site_url(request))
    except PaymentsError as exc:
        messages.error(request, exc.message)
        return redirect(order.get_access_url())
    if mode == "embedded":
        return redirect(reverse("payments:order_pay", kwargs={"token": token}) + "?start=1")
    return redirect(payment.redirect_url)


def _pay_step(request: HttpRequest, order: Order, token: str) -> HttpResponse:
    if not order.is_payable:
        return redirect(order.get_access_url())
    live = (
        order.payments.filter(state=PaymentState.PENDING)
        .exclude(redirect_url="")
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "payments/pay.html",
        {
            "order": order,
            "token": token,
            "payment": live,
            "autostart": request.GET.get("start") == "1" and live is not None,
            "checkout_script_url": settings.PHONEPE_CHECKOUT_SCRIPT_URL,
        },
    )


@require_POST
def order_verify(request: HttpRequest, token: str) -> JsonResponse:
    """The embedded checkout finished: ask the status API and send the result back, in place."""
    order = _order_for_token(token)
    latest = order.payments.order_by("-created_at").first()
    if latest is not None and (latest.is_live or latest.state == PaymentState.EXPIRED):
        try:
            refreshed = payment_refresh(payment_id=latest.pk, source=PaymentEvent.Source.RETURN)
            latest = refreshed.payment
        except GatewayError as exc:
            logger.warning("status check after the embedded checkout failed: %s", exc.message)
        order = Order.objects.get(pk=order.pk)
    view = shopper_view(order, latest)
    if view == "pending" and latest is not None:
        payment_watch(payment=latest)
    context = {**_result_context(order, latest, view, token), "pay_mode": "embedded"}
    html = render_to_string("payments/_result.html", context, request=request)
    return JsonResponse({"view": view, "final": view != "pending", "html": html})


@csrf_exempt  # the gateway's page sends the browser here; nothing in the request is trusted
@require_http_methods(["GET", "POST"])
def payment_return(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """The shopper is back from the gateway. Ask the status API, then show the order."""
    payment = get_object_or_404(
        Payment.objects.select_related("order"), merchant_order_id=merchant_order_id
    )
    try:
        payment = payment_refresh(payment_id=payment.pk, source=PaymentEvent.Source.RETURN).payment
    except GatewayError as exc:
        # The gateway did not answer; the pending page and the poller will find out.
        logger.warning("status check on return failed for %s: %s", payment, exc.message)
    order = Order.objects.get(pk=payment.order_id)
    if order_session_has_access(request, order):
        return redirect(order.get_access_url())
    # Another browser (or an expired session): say where things stand, show nothing personal.
    return render(
        request,
        "payments/return_elsewhere.html",
        {"order_number": order.number, "view": shopper_view(order, payment), "order": order},
    )
