"""Carry the request id into Celery tasks, and give every task a clean logging context.

A task queued while handling a request logs with that request's id, so one id follows a checkout
from the browser's POST to the receipt email. A task queued elsewhere (beat) uses its task id.
"""

from __future__ import annotations

from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from ops import logcontext

HEADER = "loomleaf_request_id"


@before_task_publish.connect(dispatch_uid="ops.request_id_header")
def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = logcontext.request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect(dispatch_uid="ops.task_context")
def _start_task_context(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        return  # run in the caller (task.apply()): keep the caller's context
    incoming = getattr(request, HEADER, None)
    logcontext.reset(request_id=logcontext.sane_request_id(incoming) or task_id or None)


@task_postrun.connect(dispatch_uid="ops.task_context_end")
def _end_task_context(task: Any = None, **kwargs: Any) -> None:
    if not getattr(getattr(task, "request", None), "is_eager", False):
        logcontext.reset()
