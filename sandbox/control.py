"""Test-control API (like Stripe's test helpers): let a test decide what the payer does.

No OAuth: it is only mounted when the sandbox is on, which it never is in production.
"""

from django.http import HttpRequest, HttpResponse

from sandbox import services, wire
from sandbox.jsonapi import api_endpoint, json_response
from sandbox.models import AttemptSource
from sandbox.validation import parse_complete_request, parse_json_object


@api_endpoint("POST", auth=False)
def complete_order(request: HttpRequest, merchant_order_id: str) -> HttpResponse:
    """Settle an order. Body: {"outcome", "paymentMode"?, "errorCode"?, "detailedErrorCode"?}.

    Answers the order status body (details=true, errorContext=true); 409 if already terminal.
    """
    complete_request = parse_complete_request(parse_json_object(request.body))
    order = services.order_complete(
        merchant_order_id=merchant_order_id,
        request=complete_request,
        source=AttemptSource.CONTROL_API,
    )
    return json_response(wire.order_status_body(order, details=True, error_context=True))
