"""The PhonePe PG v2 API under /sandbox/pg/: parse, call one service, answer JSON."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sandbox import auth, services, wire
from sandbox.exceptions import NotFound
from sandbox.jsonapi import api_endpoint, json_response
from sandbox.models import SandboxOrder
from sandbox.validation import parse_json_object, parse_pay_request, parse_refund_request


def _flag(request: HttpRequest, name: str) -> bool:
    # The Python SDK sends str(bool): "True"/"False".
    return request.GET.get(name, "").strip().lower() == "true"


def pay_page_url(request: HttpRequest, order: SandboxOrder) -> str:
    """The hosted pay page on the host the merchant called us on."""
    return request.build_absolute_uri(f"{reverse('sandbox:pay')}?token={order.pay_token}")


@api_endpoint("POST", auth=False)
def oauth_token(request: HttpRequest) -> HttpResponse:
    form = {key: request.POST.get(key, "") for key in request.POST}
    client_id = auth.check_client_credentials(form)
    return json_response(auth.token_body(auth.token_issue(client_id=client_id)))


@api_endpoint("POST")
def pay(request: HttpRequest) -> HttpResponse:
    pay_request = parse_pay_request(parse_json_object(request.body))
    order, _created = services.order_create(pay_request=pay_request)
    return json_response(wire.pay_body(order, redirect_url=pay_page_url(request, order)))


@api_endpoint("GET")
def order_status(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    order = services.order_get(merchant_order_id=merchant_order_id)
    body = wire.order_status_body(
        order, details=_flag(request, "details"), error_context=_flag(request, "errorContext")
    )
    return json_response(body)


@api_endpoint("GET")
def transaction_status(request: HttpRequest, transaction_id: str) -> HttpResponse:
    attempt = services.attempt_get(transaction_id=transaction_id)
    body = wire.order_status_body(
        attempt.order,
        details=True,
        error_context=_flag(request, "errorContext"),
        attempts=attempt.order.attempts.filter(pk=attempt.pk),
    )
    return json_response(body)


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
