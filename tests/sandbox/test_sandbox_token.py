"""OAuth token endpoint and O-Bearer authentication (phonepe-v2.md §2)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.auth import token_issue

pytestmark = pytest.mark.django_db

TOKEN_KEYS = {
    "access_token",
    "encrypted_access_token",
    "expires_in",
    "issued_at",
    "expires_at",
    "session_expires_at",
    "token_type",
}


def test_token_has_every_key_with_epoch_seconds(api, settings):
    # given the default lifetime
    settings.SANDBOX_TOKEN_TTL_SECONDS = 3600

    # when the merchant asks for a token with the sandbox credentials
    response = api.token_response()

    # then it gets PhonePe's token body, with times in epoch seconds
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == TOKEN_KEYS
    assert body["token_type"] == "O-Bearer"
    assert isinstance(body["issued_at"], int)
    assert isinstance(body["expires_at"], int)
    assert abs(body["issued_at"] - int(time.time())) <= 5
    assert body["expires_at"] - body["issued_at"] == 3600
    assert body["session_expires_at"] == body["expires_at"]
    assert body["expires_in"] == 3600


def test_token_lifetime_follows_the_setting(api, settings):
    settings.SANDBOX_TOKEN_TTL_SECONDS = 1

    body = api.token_response().json()

    assert body["expires_at"] - body["issued_at"] == 1


def test_token_works_on_the_pg_endpoints(api):
    merchant_order_id = api.create_order()

    response = api.status(merchant_order_id)

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["client_id", "client_secret", "client_version"])
def test_wrong_credentials_answer_401_invalid_client(api, field):
    response = api.token_response(**{field: "wrong"})

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "INVALID_CLIENT"
    assert body["errorCode"] == "OIM000"
    assert body["message"].startswith("Bad Request: Invalid Client")
    assert body["context"] == {"error_description": "Client authentication failure"}


@pytest.mark.parametrize("field", ["client_id", "client_secret", "client_version", "grant_type"])
def test_missing_form_field_answers_400(api, field):
    response = api.token_response(**{field: ""})

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "code": "BAD_REQUEST",
        "message": f"form field {field} must not be blank.",
        "data": {},
    }


def test_unsupported_grant_type_answers_400(api):
    response = api.token_response(grant_type="password")

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_token_endpoint_rejects_get_with_json_405(api):
    response = api.client.get("/sandbox/pg/v1/oauth/token")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_expired_token_answers_401(api, settings):
    # given a token issued two hours ago with a one-hour lifetime
    settings.SANDBOX_TOKEN_TTL_SECONDS = 3600
    merchant_order_id = api.create_order()
    old = token_issue(client_id=settings.SANDBOX_CLIENT_ID, now=timezone.now() - timedelta(hours=2))

    # when the merchant uses it
    response = api.client.get(
        f"/sandbox/pg/checkout/v2/order/{merchant_order_id}/status",
        headers=api.auth(old.access_token),
    )

    # then the sandbox refuses it as PhonePe would
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "AUTHORIZATION_FAILED"
    assert "expired" in body["message"]


def test_token_just_inside_its_lifetime_is_accepted(api, settings):
    settings.SANDBOX_TOKEN_TTL_SECONDS = 60
    fresh = token_issue(
        client_id=settings.SANDBOX_CLIENT_ID, now=timezone.now() - timedelta(seconds=50)
    )

    response = api.pay(api.body(api.new_order_id()), headers=api.auth(fresh.access_token))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "O-Bearer",
        "O-Bearer not-a-token",
        "Bearer {token}",
        "O-Bearer {token}x",
    ],
)
def test_missing_or_bad_token_answers_401_json(api, header):
    headers = {} if header is None else {"Authorization": header.format(token=api.token)}

    response = api.pay(api.body(api.new_order_id()), headers=headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "AUTHORIZATION_FAILED"
    assert body["message"]


def test_token_of_rotated_credentials_is_refused(api, settings):
    token = api.token
    settings.SANDBOX_CLIENT_ID = "another-client"

    response = api.pay(api.body(api.new_order_id()), headers=api.auth(token))

    assert response.status_code == 401
