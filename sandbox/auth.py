"""OAuth client credentials and O-Bearer tokens (phonepe-v2.md §2).

Tokens are stateless: a payload signed with the project's SECRET_KEY that carries its own issue
and expiry times (epoch seconds), so no table grows with every token fetch.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone

from sandbox import conf
from sandbox.exceptions import BadRequest, SandboxError, Unauthorized
from sandbox.timeutil import epoch_seconds

_ACCESS_SALT = "sandbox.oauth.access"
_ENCRYPTED_SALT = "sandbox.oauth.encrypted"
TOKEN_TYPE = "O-Bearer"  # noqa: S105  (a scheme name, not a secret)
# Field order of PhonePe's own "must not be blank" checks.
_REQUIRED_FORM_FIELDS = ("client_id", "client_version", "client_secret", "grant_type")


class InvalidClient(SandboxError):
    """Wrong client credentials; PhonePe answers 401 with its identity-manager error body."""

    status = 401
    code = "INVALID_CLIENT"


class FormFieldMissing(BadRequest):
    """PhonePe's identity manager adds `success: false` to this one body."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    encrypted_access_token: str
    issued_at: int
    expires_at: int
    expires_in: int


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def check_client_credentials(form: dict[str, str]) -> str:
    """Return the client id if the form carries the sandbox's credentials, else raise.

    Missing fields raise `FormFieldMissing` (400); wrong values raise `InvalidClient` (401),
    never a 5xx or 429, so a client never retries a hopeless request.
    """
    for name in _REQUIRED_FORM_FIELDS:
        if not form.get(name, "").strip():
            raise FormFieldMissing(f"form field {name} must not be blank.")
    if form["grant_type"] != "client_credentials":
        raise FormFieldMissing("form field grant_type must be client_credentials.")
    matches = [
        _same(form["client_id"], str(settings.SANDBOX_CLIENT_ID)),
        _same(form["client_secret"], str(settings.SANDBOX_CLIENT_SECRET)),
        _same(form["client_version"], str(settings.SANDBOX_CLIENT_VERSION)),
    ]
    if not all(matches):
        tracking_id = secrets.token_hex(8)
        raise InvalidClient(
            f"Bad Request: Invalid Client, trackingId: {tracking_id}",
            data={"error_description": "Client authentication failure"},
        )
    return form["client_id"]


def token_issue(*, client_id: str, now: datetime | None = None) -> IssuedToken:
    """Mint a token valid for SANDBOX_TOKEN_TTL_SECONDS from `now` (tests pass a past `now`)."""
    issued_at = epoch_seconds(now or timezone.now())
    ttl = max(conf.token_ttl_seconds(), 1)
    expires_at = issued_at + ttl
    payload = {"cid": client_id, "iat": issued_at, "exp": expires_at, "jti": secrets.token_hex(8)}
    return IssuedToken(
        access_token=signing.dumps(payload, salt=_ACCESS_SALT),
        encrypted_access_token=signing.dumps(payload, salt=_ENCRYPTED_SALT),
        issued_at=issued_at,
        expires_at=expires_at,
        expires_in=ttl,
    )


def token_body(token: IssuedToken) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "encrypted_access_token": token.encrypted_access_token,
        "expires_in": token.expires_in,
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "session_expires_at": token.expires_at,
        "token_type": TOKEN_TYPE,
    }


def authenticate(authorization: str | None, *, now: datetime | None = None) -> str:
    """Return the client id of a valid `O-Bearer` header; raise `Unauthorized` otherwise."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme != TOKEN_TYPE or not token.strip():
        raise Unauthorized("Unauthorized: send 'Authorization: O-Bearer <access_token>'.")
    try:
        payload = signing.loads(token.strip(), salt=_ACCESS_SALT)
    except signing.BadSignature as exc:
        raise Unauthorized("Unauthorized: the access token is not valid.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise Unauthorized("Unauthorized: the access token is not valid.")
    if epoch_seconds(now or timezone.now()) >= payload["exp"]:
        raise Unauthorized("Unauthorized: the access token has expired.")
    if payload.get("cid") != settings.SANDBOX_CLIENT_ID:
        raise Unauthorized("Unauthorized: the access token belongs to another client.")
    return str(payload["cid"])
