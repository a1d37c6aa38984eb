"""Time-based changes on time: Celery tasks queued after commit, due when the change is.

Lazy reads still apply every due change (orders.apply_due, refunds); these tasks only make the
same changes, and so their webhooks, happen on time when nobody reads.

Guarantees:
- A task is queued only after the transaction that made it necessary commits, with the
  countdown computed at that moment from the row's due time, so it never runs before it.
- Nothing is queued while webhooks are off (SANDBOX_WEBHOOK_URL empty: nobody to tell, and
  reads catch up lazily) or when Celery runs tasks eagerly (an eager task cannot wait, and a
  not-yet-due run would re-queue itself without end).
- Tasks take the gateway's own ids (OMO..., OM..., OMR...), never database keys: a message that
  outlives its row (tests flush the database) finds nothing and does nothing.
"""

from datetime import datetime

from celery import current_app
from django.db import transaction
from django.utils import timezone

from sandbox import conf

ADVANCE_REFUND = "advance_refund"
EXPIRE_ORDER = "expire_order"
SETTLE_PAYMENT = "settle_payment"


def _enabled() -> bool:
    return bool(conf.webhook_url()) and not current_app.conf.task_always_eager


def run_at(task_name: str, key: str, at: datetime) -> None:
    """Queue `sandbox.tasks.<task_name>(key)` to run at `at`, once the transaction commits."""
    if not _enabled():
        return

    def send() -> None:
        # Imported here: sandbox.tasks imports the services.
        from sandbox import tasks

        countdown = max((at - timezone.now()).total_seconds(), 0.0)
        getattr(tasks, task_name).apply_async(args=(key,), countdown=countdown)

    # robust: a broker hiccup must not turn a committed change into an error; reads catch up.
    transaction.on_commit(send, robust=True)
