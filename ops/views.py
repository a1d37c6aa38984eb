"""Health endpoints and the error page that turns a database outage into a 503."""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

from ops.health import check_broker, check_database

# How long a browser or a load balancer should wait before trying again during an outage.
RETRY_AFTER_SECONDS = 30


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches nothing else (no database, no broker), so a
    liveness probe never restarts healthy web processes because a shared service is down."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Can this process do its work: the database and the broker answer. 503 says which did not,
    and why, so that a load balancer stops sending traffic and an operator knows where to look."""
    checks = {"database": check_database(), "broker": check_broker()}
    ready = all(result.ok for result in checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: result.as_dict() for name, result in checks.items()},
    }
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A connection that cannot be made or was lost (not a bug in a query)."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    # Rendered without a RequestContext: the context processors read the session and the cart,
    # which live in the database that just failed.
    response = HttpResponse(render_to_string("ops/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, so sys.exc_info() has it: a
    database outage becomes a friendly 503 (please try again), anything else the usual 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    return django_server_error(request)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a clear 429 page with Retry-After, for admin and shop sign-in."""
    from django.conf import settings

    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"cooloff_minutes": max(1, round(seconds / 60))}
    response = HttpResponse(
        render_to_string("ops/locked_out.html", context, request=request), status=429
    )
    response["Retry-After"] = str(seconds)
    return response
