"""A small fixed-window rate limiter on Django's cache, and the client address it keys on.

Guarantees: at most N counted requests per key per window when the cache is shared (Redis in
production, so every gunicorn worker and server counts together); limits come from
settings.RATE_LIMITS and RATE_LIMITS_ENABLED (so tests and operators can change them); a cache
that is down lets requests through (logged), because refusing every checkout would be worse than
an unlimited minute.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "10/m", "30/10m", "1000/h"."""
        match = _RATE.fullmatch(text)
        if not match:
            raise ValueError(f"A rate looks like '10/m' or '30/10m', not {text!r}.")
        count, multiple, unit = match.groups()
        return cls(int(count), int(multiple or 1) * _UNIT_SECONDS[unit])


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the
    outermost trusted proxy saw (X-Forwarded-For is spoofable except for the entries our own
    proxies appended, which are the last ones)."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    if proxies <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]


def hit(scope: str, key: str, rate: Rate) -> int | None:
    """Count one request; seconds until the window ends if this one is over the limit."""
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]  # addresses are personal data
    cache_key = f"ratelimit:{scope}:{window}:{digest}"
    cache = caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]
    try:
        if cache.add(cache_key, 1, timeout=rate.seconds + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr: a new window
                cache.add(cache_key, 1, timeout=rate.seconds + 1)
                count = 1
    except Exception:  # the cache is down: let the request through
        logger.warning("rate limit cache unavailable for %s; not limiting", scope, exc_info=True)
        return None
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def too_many_requests(
    request: HttpRequest, retry_after: int, respond: Literal["page", "json"]
) -> HttpResponse:
    response: HttpResponse
    if respond == "json":
        response = JsonResponse(
            {"error": "rate_limited", "detail": "Too many requests.", "retry_after": retry_after},
            status=429,
        )
    else:
        response = HttpResponse(
            render_to_string("ops/429.html", {"retry_after": retry_after}, request=request),
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    scope: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    key: Callable[[HttpRequest], str] = client_ip,
    respond: Literal["page", "json"] = "page",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view to settings.RATE_LIMITS[scope] requests (of `methods`) per key per window.

    Answers 429 with Retry-After: a friendly page for shoppers, JSON for machines.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            rates: dict[str, str] = getattr(settings, "RATE_LIMITS", {})
            if (
                getattr(settings, "RATE_LIMITS_ENABLED", True)
                and request.method in methods
                and rates.get(scope)
            ):
                retry_after = hit(scope, key(request), Rate.parse(rates[scope]))
                if retry_after is not None:
                    logger.warning("rate limit %s exceeded; retry in %ss", scope, retry_after)
                    return too_many_requests(request, retry_after, respond)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
