"""Handing out status checks that are due, for payments and refunds alike."""

from __future__ import annotations

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone

# A claimed row is not handed out again for this long: its check is queued or running, and the
# check itself sets the next due time along the row's cadence. If the check is lost (tasks are
# acknowledged late, so only a broker that loses messages loses one), the row comes back after
# the lease. Long enough for a deep queue to drain (10,000 checks at ~50/s take 200 s here):
# a shorter lease queues a second check of every row still waiting in the queue.
CLAIM_LEASE = timedelta(minutes=5)


def claim_due(model: type[models.Model], *, limit: int) -> list[int]:
    """Claim up to `limit` rows of `model` whose `next_check_at` is due; return their ids.

    One UPDATE moves every claimed row's `next_check_at` a lease ahead, in the same transaction,
    so a row is handed out once per due time even with several pollers: rows another poller
    holds are skipped on PostgreSQL (SKIP LOCKED); SQLite serialises writers.
    """
    now = timezone.now()
    manager = model._default_manager
    with transaction.atomic():
        due = manager.filter(next_check_at__lte=now).order_by("next_check_at")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.values_list("pk", flat=True)[:limit])
        if claimed:
            manager.filter(pk__in=claimed).update(next_check_at=now + CLAIM_LEASE)
    return claimed


def release_claims(model: type[models.Model], ids: list[int]) -> None:
    """Hand claimed rows back at once (their checks could not be queued: the broker is down), so
    that the next sweep claims them again instead of waiting out the lease."""
    if ids:
        model._default_manager.filter(pk__in=ids).update(next_check_at=timezone.now())
