"""The PhonePe PG v2 API under /sandbox/pg/: parse, call one service, answer JSON.

Token, pay and status calls go through `_with_chaos`, which injects the errors and slow answers
chaos rules ask for, always after authentication (bad credentials never earn a 5xx or 429).
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sandbox import auth, services, wire
from sandbox.exceptions import NotFound
from sandbox.jsonapi import api_endpoint, json_response
from sandbox.models import SandboxOrder
from sandbox.services import chaos
from sandbox.validation import parse_json_object, parse_pay_request, parse_refund_request


def _flag(request: HttpRequest, name: str) -> bool:
    # The Python SDK sends str(bool): "True"/"False".
    return request.GET.get(name, "").strip().lower() == "true"


def pay_page_url(request: HttpRequest, order: SandboxOrder) -> str:
    """The hosted pay page on the host the merchant called us on."""
    return request.build_absolute_uri(f"{reverse('sandbox:pay')}?token={order.pay_token}")


def _with_chaos(
    api: chaos.Api, order: SandboxOrder | None, answer: Callable[[], HttpResponse]
) -> HttpResponse:
    """Answer, unless chaos injects an error instead; either way after any slowSeconds.

    The sleep comes after the work, so a slow pay still creates the order: the client times out
    without knowing, which is the case its silent re-POST must survive.
    """
    fault = chaos.api_fault(api=api, order=order)
    try:
        if fault.error is not None:
            raise fault.error
        return answer()
    finally:
        if fault.slow_seconds > 0:
            time.sleep(fault.slow_seconds)


@api_endpoint("POST", auth=False)
def oauth_token(request: HttpRequest) -> HttpResponse:
    form = {key: request.POST.get(key, "") for key in request.POST}
    client_id = auth.check_client_credentials(form)
    return _with_chaos(
        "token",
        None,
        lambda: json_response(auth.token_body(auth.token_issue(client_id=client_id))),
    )


@api_endpoint("POST")
def pay(request: HttpRequest) -> HttpResponse:
    data = parse_json_object(request.body)
    # A re-POST of a known merchantOrderId is subject to that order's own rule.
    merchant_order_id = data.get("merchantOrderId")
    known = (
        SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).first()
        if isinstance(merchant_order_id, str)
        else None
    )

    def answer() -> HttpResponse:
        order, _created = services.order_create(pay_request=parse_pay_request(data))
        return json_response(wire.pay_body(order, redirect_url=pay_page_url(request, order)))

    return _with_chaos("pay", known, answer)


@api_endpoint("GET")
def order_status(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    def answer() -> HttpResponse:
        order = services.order_get(merchant_order_id=merchant_order_id)
        body = wire.order_status_body(
            order, details=_flag(request, "details"), error_context=_flag(request, "errorContext")
        )
        return json_response(body)

    known = SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).first()
    return _with_chaos("status", known, answer)


@api_endpoint("GET")
def transaction_status(request: HttpRequest, transaction_id: str) -> HttpResponse:
    def answer() -> HttpResponse:
        attempt = services.attempt_get(transaction_id=transaction_id)
        body = wire.order_status_body(
            attempt.order,
            details=True,
            error_context=_flag(request, "errorContext"),
            attempts=attempt.order.attempts.filter(pk=attempt.pk),
        )
        return json_response(body)

    known = SandboxOrder.objects.filter(attempts__transaction_id=transaction_id).first()
    return _with_chaos("status", known, answer)


@api_endpoint("POST")
def refund(request: HttpRequest) -> HttpResponse:
    refund_request = parse_refund_request(parse_json_object(request.body))
    created_refund, _created = services.refund_create(refund_request=refund_request)
    return json_response(wire.refund_body(created_refund))


@api_endpoint("GET")
def refund_status(request: HttpRequest, merchant_refund_id: str) -> HttpResponse:
    found = services.refund_get(merchant_refund_id=merchant_refund_id)
    return json_response(wire.refund_status_body(found))


@api_endpoint(auth=False)
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise NotFound(f"No sandbox API at {request.path}.", code="NOT_FOUND")
