"""Request id and access log: the outermost middleware, so every response (redirects, 403s, the
503 of a database outage) carries the id, and every log line of the request has it."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ops import logcontext

REQUEST_ID_HEADER = "X-Request-ID"
access_logger = logging.getLogger("ops.access")
_MERCHANT_ORDER_ID = re.compile(r"(?P<number>.+)-P\d+-[0-9A-F]+")


class RequestIdMiddleware:
    """Binds a request id (the caller's X-Request-ID if sane, else a new one) and the order the
    URL names (a signed order link or a merchant order id), echoes the id in the response, and
    logs one access line per request when ACCESS_LOG is on (production: gunicorn's own access
    log is off, so that the line has the request id and the order number)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER)
        request_id = logcontext.sane_request_id(incoming) or logcontext.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        logcontext.reset(request_id=request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if getattr(settings, "ACCESS_LOG", False):
                access_logger.info(
                    "%s %s %s %.0fms",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                    extra={"status": response.status_code, "method": request.method},
                )
            return response
        finally:
            logcontext.reset()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        number = _order_number_from_url(view_kwargs)
        if number:
            logcontext.bind_order(number)


def _order_number_from_url(kwargs: dict[str, Any]) -> str | None:
    token = kwargs.get("token")
    if isinstance(token, str):
        from payments.access import order_number_from_token

        return order_number_from_token(token)  # None for a forged or foreign token
    merchant_order_id = kwargs.get("merchant_order_id")
    if isinstance(merchant_order_id, str):
        match = _MERCHANT_ORDER_ID.fullmatch(merchant_order_id)
        return match.group("number") if match else None
    return None
