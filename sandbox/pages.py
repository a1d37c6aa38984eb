"""HTML: the hosted pay page (what `redirectUrl` opens), the console, the test-instrument list.

These are browser pages, so they keep Django's CSRF protection. After any decision on the pay
page the browser goes back to the merchant's redirectUrl bare: the merchant must ask the status
API what happened, as with the real PhonePe. In iframe mode (`mode=iframe`, set by checkout.js)
the page ends on a "done" page instead, which tells the merchant's page through postMessage.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sandbox import conf, embedded, services
from sandbox.constants import (
    OUTCOME_CHOICES,
    TEST_BANKS,
    TEST_CARDS,
    TEST_UPI_IDS,
    WALLET_NAME,
    Outcome,
    group_card_number,
)
from sandbox.exceptions import NotFound, OrderClosed
from sandbox.forms import METHOD_FORMS, METHOD_LABELS, ConsoleCompleteForm
from sandbox.instruments import page_options
from sandbox.models import (
    AttemptSource,
    AttemptState,
    OrderState,
    SandboxOrder,
    SandboxRefund,
    SandboxWebhook,
)
from sandbox.services import chaos, webhooks
from sandbox.validation import CompleteRequest

CONSOLE_ORDER_LIMIT = 50
CONSOLE_REFUND_LIMIT = 20
CONSOLE_WEBHOOK_LIMIT = 30


def _instrument_context() -> dict[str, Any]:
    return {
        "test_upi_ids": list(TEST_UPI_IDS.values()),
        "test_cards": [(group_card_number(card.value), card) for card in TEST_CARDS.values()],
        "test_banks": list(TEST_BANKS.values()),
        "outcome_labels": [label for label, _outcome in OUTCOME_CHOICES.values()],
        "wallet_name": WALLET_NAME,
        "merchant_name": conf.merchant_name(),
    }


def _closed_reason(order: SandboxOrder) -> str:
    if order.state == OrderState.COMPLETED:
        return "paid"
    if order.detailed_error_code == "TXN_AUTO_FAILED":
        return "expired"
    if order.detailed_error_code == "USER_CANCEL":
        return "cancelled"
    return "failed"


def _frame_context(order: SandboxOrder, *, iframe: bool) -> dict[str, Any]:
    return {
        "iframe": iframe,
        "merchant_origin": embedded.merchant_origin(order.redirect_url) or "",
    }


def _closed_page(request: HttpRequest, order: SandboxOrder, *, iframe: bool) -> HttpResponse:
    context = {
        "order": order,
        "reason": _closed_reason(order),
        **_frame_context(order, iframe=iframe),
        **_instrument_context(),
    }
    return render(request, "sandbox/pay_closed.html", context)


def _not_found_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sandbox/not_found.html", _instrument_context(), status=404)


def _done_page(request: HttpRequest, order: SandboxOrder, *, cancelled: bool) -> HttpResponse:
    """Iframe mode's end: the page posts the status to the merchant's page (static/frame.js)."""
    if cancelled:
        status, outcome = embedded.STATUS_USER_CANCEL, "cancelled"
    else:
        status, outcome = embedded.STATUS_CONCLUDED, order.state.lower()
    context = {
        "order": order,
        "outcome": outcome,
        "frame_status": status,
        **_frame_context(order, iframe=True),
        **_instrument_context(),
    }
    return render(request, "sandbox/pay_done.html", context)


def _back_to_merchant(
    request: HttpRequest, order: SandboxOrder, *, iframe: bool, cancelled: bool = False
) -> HttpResponse:
    # Chaos before_return: the merchant gets its webhook before the shopper gets back.
    webhooks.deliver_inline(order=order)
    if iframe:
        order.refresh_from_db()  # the service settled a locked copy
        return _done_page(request, order, cancelled=cancelled)
    return HttpResponseRedirect(order.redirect_url)


# Framing is decided per order: the CSP frame-ancestors set here names the order's merchant.
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest) -> HttpResponse:
    order = services.order_by_pay_token(pay_token=request.GET.get("token", ""))
    if order is None:
        response = _not_found_page(request)
        origin = None
    else:
        response = _pay_page(request, order, iframe=embedded.is_iframe_mode(request))
        origin = embedded.merchant_origin(order.redirect_url)
    # Set here, the project's CSP middleware leaves it alone.
    response.headers["Content-Security-Policy"] = embedded.pay_page_policy(origin)
    return response


def _pay_page(request: HttpRequest, order: SandboxOrder, *, iframe: bool) -> HttpResponse:
    if order.is_terminal:
        return _closed_page(request, order, iframe=iframe)

    options = page_options(order.payment_mode_config)
    offered = [method for method in METHOD_FORMS if options.offers(method)]
    status = 200
    if request.method == "POST":
        method = request.POST.get("method", "")
        try:
            if method == "cancel":
                services.order_cancel(order=order)
                return _back_to_merchant(request, order, iframe=iframe, cancelled=True)
            if method in offered:
                form = METHOD_FORMS[method](request.POST)
                if form.is_valid():
                    spec = form.attempt_spec(options=options, amount_paise=order.amount_paise)
                    services.order_pay(order=order, spec=spec, source=AttemptSource.PAY_PAGE)
                    return _back_to_merchant(request, order, iframe=iframe)
                active = method
            else:
                active = offered[0]
                form = METHOD_FORMS[active]()
                status = 400
                messages.error(request, "Choose one of the payment methods below.")
        except OrderClosed:
            order.refresh_from_db()
            return _closed_page(request, order, iframe=iframe)
    else:
        requested = request.GET.get("method", "")
        active = requested if requested in offered else offered[0]
        form = METHOD_FORMS[active]()

    page_url = reverse("sandbox:pay")
    # The mode rides on the query string, so tabs and form posts stay in iframe mode.
    query = {"token": order.pay_token, **({"mode": embedded.IFRAME_MODE} if iframe else {})}
    tabs = [
        {
            "key": method,
            "label": METHOD_LABELS[method],
            "url": f"{page_url}?{urlencode({**query, 'method': method})}",
            "active": method == active,
        }
        for method in offered
    ]
    context = {
        "order": order,
        "form": form,
        "active": active,
        "tabs": tabs,
        "form_action": f"{page_url}?{urlencode(query)}",
        "awaiting": order.attempts.filter(state=AttemptState.PENDING).exists(),
        **_frame_context(order, iframe=iframe),
        **_instrument_context(),
    }
    return render(request, "sandbox/pay.html", context, status=status)


@require_GET
def console(request: HttpRequest) -> HttpResponse:
    orders = []
    for order in SandboxOrder.objects.order_by("-created_at", "-id")[:CONSOLE_ORDER_LIMIT]:
        # Show expiries and delayed outcomes as the status API would report them.
        orders.append(services.order_refresh(order=order))
    refunds = SandboxRefund.objects.select_related("order").order_by("-created_at", "-id")[
        :CONSOLE_REFUND_LIMIT
    ]
    deliveries = SandboxWebhook.objects.select_related("order", "refund").order_by(
        "-created_at", "-id"
    )[:CONSOLE_WEBHOOK_LIMIT]
    context = {
        "orders": orders,
        "refunds": refunds,
        "webhooks": deliveries,
        "chaos_rule": chaos.describe_rule(chaos.effective_rule(None)),
        **_instrument_context(),
    }
    return render(request, "sandbox/console.html", context)


@require_POST
def console_complete(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    form = ConsoleCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose success or failure.")
        return redirect("sandbox:console")
    outcome = Outcome(form.cleaned_data["outcome"])
    try:
        order = services.order_complete(
            merchant_order_id=merchant_order_id,
            request=CompleteRequest(
                outcome=outcome, method=None, error_code=None, detailed_error_code=None
            ),
            source=AttemptSource.CONSOLE,
        )
    except (OrderClosed, NotFound) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Order {order.merchant_order_id} is now {order.state}.")
    return redirect("sandbox:console")


@require_GET
def instruments(request: HttpRequest) -> HttpResponse:
    return render(request, "sandbox/instruments.html", _instrument_context())
