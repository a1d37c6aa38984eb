"""Errors the sandbox reports over the wire. Views turn them into PhonePe-shaped JSON."""

from typing import Any


class SandboxError(Exception):
    """An error with the HTTP status, `code` and `message` the API answers with."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(
        self, message: str, *, code: str | None = None, data: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.data = data or {}


class BadRequest(SandboxError):
    status = 400
    code = "BAD_REQUEST"


class Unauthorized(SandboxError):
    status = 401
    code = "AUTHORIZATION_FAILED"


class NotFound(SandboxError):
    status = 404
    code = "NOT_FOUND"


class Conflict(SandboxError):
    status = 409
    code = "CONFLICT"


class OrderClosed(Conflict):
    """The order is COMPLETED or FAILED (expired, cancelled, declined): nothing more can happen."""

    code = "ORDER_ALREADY_TERMINAL"
