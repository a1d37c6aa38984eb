"""JSON plumbing for /sandbox/pg/: every answer is JSON with `code` and `message`.

`api_endpoint` is the one door every API view goes through: it answers wrong methods with a JSON
405, turns `SandboxError` into PhonePe's error body, and wraps anything unexpected in a JSON 500
(never Django's HTML error page). It also opts the view out of CSRF (a server-to-server API) and
out of APPEND_SLASH redirects (PhonePe's paths have no trailing slash).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt

from sandbox.auth import FormFieldMissing, InvalidClient, authenticate
from sandbox.exceptions import SandboxError

logger = logging.getLogger(__name__)

ApiView = Callable[..., HttpResponse]


def json_response(body: dict[str, Any], *, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def error_response(
    *, status: int, code: str, message: str, data: dict[str, Any] | None = None
) -> JsonResponse:
    return json_response({"code": code, "message": message, "data": data or {}}, status=status)


def sandbox_error_response(error: SandboxError) -> JsonResponse:
    if isinstance(error, InvalidClient):
        # The identity manager's own shape (phonepe-v2.md §2): errorCode plus context.
        body: dict[str, Any] = {
            "code": error.code,
            "errorCode": "OIM000",
            "message": error.message,
            "context": error.data,
        }
        return json_response(body, status=error.status)
    if isinstance(error, FormFieldMissing):
        body = {"success": False, "code": error.code, "message": error.message, "data": error.data}
        return json_response(body, status=error.status)
    return error_response(
        status=error.status, code=error.code, message=error.message, data=error.data
    )


def api_endpoint(*methods: str, auth: bool = True) -> Callable[[ApiView], ApiView]:
    """Wrap an API view: allowed methods, O-Bearer auth (unless `auth=False`), JSON errors."""
    allowed = set(methods)

    def decorator(view: ApiView) -> ApiView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if allowed and request.method not in allowed:
                allow = ", ".join(sorted(allowed))
                response = error_response(
                    status=405,
                    code="METHOD_NOT_ALLOWED",
                    message=f"{request.method} is not allowed here; use {allow}.",
                )
                response["Allow"] = allow
                return response
            try:
                if auth:
                    authenticate(request.headers.get("Authorization"))
                return view(request, *args, **kwargs)
            except SandboxError as error:
                return sandbox_error_response(error)
            except RequestDataTooBig:
                return error_response(
                    status=413, code="PAYLOAD_TOO_LARGE", message="Request body is too large."
                )
            except Exception:
                logger.exception("Sandbox API error on %s %s", request.method, request.path)
                return error_response(
                    status=500,
                    code="INTERNAL_SERVER_ERROR",
                    message="The sandbox failed to handle this request; see the server log.",
                )

        return csrf_exempt(no_append_slash(wrapper))

    return decorator
