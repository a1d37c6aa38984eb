"""PhonePe's server-to-server callbacks. Authenticate first, store, acknowledge fast."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ops.ratelimit import rate_limit
from payments.gateways import get_gateway
from payments.gateways.base import WebhookAuthError, WebhookError, WebhookUnknownEvent
from payments.services.webhooks import MAX_STORED_BODY, webhook_receive, webhook_record_rejection

logger = logging.getLogger(__name__)
KEPT_HEADERS = ("Content-Type", "Content-Length", "User-Agent", "X-Forwarded-For", "X-Request-Id")


@csrf_exempt  # authenticated by the Authorization header, not a browser session
@rate_limit("webhook", respond="json")  # per address: PhonePe retries a 429 later
@require_POST
def phonepe_webhook(request: HttpRequest) -> JsonResponse:
    if len(request.body) > MAX_STORED_BODY:  # no webhook is this big; do not store it
        return JsonResponse({"error": "The body is too large."}, status=413)
    gateway = get_gateway()
    try:
        # The header is checked before the body is even read.
        notice = gateway.verify_webhook(
            authorization=request.headers.get("Authorization", ""), raw_body=request.body
        )
    except WebhookAuthError as exc:
        logger.warning("webhook refused from %s: %s", request.META.get("REMOTE_ADDR"), exc.message)
        return JsonResponse({"error": "unauthorized", "detail": exc.message}, status=401)
    except WebhookError as exc:
        stored = webhook_record_rejection(
            raw_body=request.body, headers=_headers(request), remote_addr=_addr(request), error=exc
        )
        status = 422 if isinstance(exc, WebhookUnknownEvent) else 400
        return JsonResponse({"error": exc.message, "id": stored.pk}, status=status)
    receipt = webhook_receive(
        notice=notice, raw_body=request.body, headers=_headers(request), remote_addr=_addr(request)
    )
    return JsonResponse(
        {"status": "duplicate" if receipt.duplicate else "accepted", "id": receipt.event.pk}
    )


def _headers(request: HttpRequest) -> dict[str, str]:
    return {name: request.headers[name][:200] for name in KEPT_HEADERS if name in request.headers}


def _addr(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
