"""System checks for the production shape (`manage.py check --deploy` runs the deploy ones)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from ops.ratelimit import Rate


@register("ops")
def check_rate_limits(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for scope, text in getattr(settings, "RATE_LIMITS", {}).items():
        try:
            Rate.parse(text)
        except ValueError as exc:
            problems.append(Error(f"RATE_LIMITS[{scope!r}]: {exc}", id="ops.E001"))
    return problems


@register("ops")
def check_celery_visibility(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """On Redis (and SQS) a message not acknowledged within the visibility timeout is delivered
    again, to another worker: a countdown task waiting in a worker, or a long task, would run
    twice. The timeout must outlast the longest countdown plus the hard time limit."""
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "amqp://", "pyamqp://")):
        return []  # no visibility timeout on these transports
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    needed = settings.CELERY_LONGEST_COUNTDOWN_SECONDS + settings.CELERY_TASK_TIME_LIMIT
    if timeout > needed:
        return []
    return [
        Warning(
            f"The broker's visibility timeout ({timeout} s) is not longer than the longest task "
            f"countdown plus the hard time limit ({needed} s): such tasks may run twice.",
            hint="Raise CELERY_VISIBILITY_TIMEOUT.",
            id="ops.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_production_shape(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if getattr(settings, "SANDBOX_ENABLED", False):
        problems.append(
            Warning(
                "The PhonePe sandbox is switched on: anyone can settle payments through it.",
                hint="Unset SANDBOX_ENABLED in production (make run-prod keeps it on locally).",
                id="ops.W002",
            )
        )
    cache_backend = settings.CACHES["default"]["BACKEND"]
    if settings.RATE_LIMITS_ENABLED and cache_backend.endswith("LocMemCache"):
        problems.append(
            Warning(
                "Rate limits count in each process's own memory: with several web processes "
                "every one of them allows the full rate.",
                hint="Set CACHE_URL to Redis (redis://host:6379/1).",
                id="ops.W003",
            )
        )
    if not settings.RATE_LIMITS_ENABLED or not getattr(settings, "AXES_ENABLED", False):
        problems.append(
            Warning(
                "Rate limits or the admin sign-in lockout are switched off.",
                hint="Unset RATE_LIMITS_ENABLED and AXES_ENABLED in production.",
                id="ops.W004",
            )
        )
    return problems
