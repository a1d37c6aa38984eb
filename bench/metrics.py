"""Per-request and per-task measurements for `make bench` (installed only with BENCH_BASELINE=1).

- Every response gets `X-Bench-Queries` (SQL statements run for it), `X-Bench-Gateway-Ms` (time
  spent in HTTP calls to PhonePe, i.e. the sandbox, including a token fetch) and
  `X-Bench-Server-Ms` (time inside Django). The load generator reads them, so "sandbox time
  excluded" and "queries per request" are measured per request, not estimated.
- Every Celery task adds its name, count and SQL statements to a Redis hash (BENCH_REDIS_URL,
  the bench's own database), so the drain reports queries per payment.

The gateway timing wraps `PhonePeGateway._send`, the one place every gateway call goes through,
from this app's ready(): payments' code is unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERIES_HEADER = "X-Bench-Queries"
GATEWAY_HEADER = "X-Bench-Gateway-Ms"
SERVER_HEADER = "X-Bench-Server-Ms"
TASKS_KEY = "bench:tasks"

_gateway_ms: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "bench_gateway_ms", default=None
)


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _push(counter: _QueryCounter) -> None:
    for conn in connections.all(initialized_only=False):
        conn.execute_wrappers.append(counter)


def _pop(counter: _QueryCounter) -> None:
    for conn in connections.all(initialized_only=False):
        if counter in conn.execute_wrappers:
            conn.execute_wrappers.remove(counter)


class BenchMetricsMiddleware:
    """Outermost middleware (settings adds it first when BENCH_BASELINE=1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        gateway: list[float] = []
        token = _gateway_ms.set(gateway)
        started = time.perf_counter()
        _push(counter)
        try:
            response = self.get_response(request)
        finally:
            _pop(counter)
            _gateway_ms.reset(token)
        response[QUERIES_HEADER] = str(counter.count)
        response[GATEWAY_HEADER] = f"{sum(gateway):.2f}"
        response[SERVER_HEADER] = f"{(time.perf_counter() - started) * 1000:.2f}"
        return response


def _timed_send(send: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(send)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return send(self, *args, **kwargs)
        finally:
            spent = _gateway_ms.get()
            if spent is not None:
                spent.append((time.perf_counter() - started) * 1000)

    wrapper.__bench_timed__ = True  # type: ignore[attr-defined]
    return wrapper


_task_counters: dict[str, _QueryCounter] = {}


def _task_started(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        counter = _QueryCounter()
        _task_counters[task_id] = counter
        _push(counter)


def _task_finished(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    counter = _task_counters.pop(task_id or "", None)
    if counter is None:
        return
    _pop(counter)
    url = os.environ.get("BENCH_REDIS_URL")
    if not url:
        return
    import redis

    name = getattr(task, "name", "unknown")
    client = _redis(url)
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(TASKS_KEY, f"{name}:count", 1)
    pipe.hincrby(TASKS_KEY, f"{name}:queries", counter.count)
    with contextlib.suppress(redis.RedisError):  # a measurement must never fail a task
        pipe.execute()


@functools.cache
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=1)


def install() -> None:
    from celery.signals import task_postrun, task_prerun

    from payments.gateways.phonepe import PhonePeGateway

    if not getattr(PhonePeGateway._send, "__bench_timed__", False):
        PhonePeGateway._send = _timed_send(PhonePeGateway._send)  # type: ignore[method-assign]
    task_prerun.connect(_task_started, weak=False, dispatch_uid="bench.task_started")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="bench.task_finished")
