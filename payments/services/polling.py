"""Handing out status checks that are due, for payments and refunds alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone


def claim_due(
    model: type[models.Model], *, limit: int, delay: Callable[[timedelta], timedelta]
) -> list[int]:
    """Claim up to `limit` rows of `model` whose `next_check_at` is due; return their ids.

    Claiming moves each row's `next_check_at` along its cadence (`delay` of its age), inside the
    same transaction, so a row is handed out once per due time even with several pollers: rows
    another poller holds are skipped on PostgreSQL (SKIP LOCKED); SQLite serialises writers.
    """
    now = timezone.now()
    manager = model._default_manager
    with transaction.atomic():
        due = manager.filter(next_check_at__lte=now).order_by("next_check_at")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.values_list("pk", "created_at")[:limit])
        for pk, created_at in claimed:
            manager.filter(pk=pk).update(next_check_at=now + delay(now - created_at))
    return [pk for pk, _ in claimed]
