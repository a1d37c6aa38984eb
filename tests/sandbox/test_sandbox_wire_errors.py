"""Whatever goes wrong under /sandbox/pg/, the answer is JSON with `code` and `message`."""

import pytest
from django.http import HttpRequest, HttpResponse

from sandbox.jsonapi import api_endpoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/sandbox/pg",
        "/sandbox/pg/",
        "/sandbox/pg/nothing/here",
        "/sandbox/pg/checkout/v2/pay/",
        "/sandbox/pg/v1/oauth/token/",
        "/sandbox/pg/checkout/v2/order/ORD-1/status/",
        "/sandbox/pg/checkout/v2/order//status",
        "/sandbox/pg/payments/v2/refund/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_paths_answer_json_404_without_redirects(api, path, method):
    response = getattr(api.client, method)(path, headers=api.auth())

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "NOT_FOUND"
    assert body["message"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/sandbox/pg/checkout/v2/pay", "POST"),
        ("put", "/sandbox/pg/checkout/v2/pay", "POST"),
        ("post", "/sandbox/pg/checkout/v2/order/ORD-1/status", "GET"),
        ("delete", "/sandbox/pg/payments/v2/refund/R-1/status", "GET"),
        ("get", "/sandbox/pg/payments/v2/refund", "POST"),
    ],
)
def test_wrong_method_answers_json_405(api, method, path, allow):
    response = getattr(api.client, method)(path, headers=api.auth())

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_api_posts_need_no_csrf_token(api):
    # given a client that enforces CSRF like a browser session would
    api.client.handler.enforce_csrf_checks = True

    response = api.pay(api.body(api.new_order_id()))

    assert response.status_code == 200


def test_unexpected_exception_becomes_json_500(rf):
    # given an API view that breaks
    @api_endpoint("GET", auth=False)
    def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    # when it is called
    response = broken(rf.get("/sandbox/pg/broken"))

    # then the client sees PhonePe's error shape, not an HTML traceback
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b"INTERNAL_SERVER_ERROR" in response.content
    assert b"boom" not in response.content
