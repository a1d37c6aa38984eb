"""Indian calendar days as half-open ranges of aware datetimes, and business-day arithmetic."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from backoffice.conf import BUSINESS_TZ


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), BUSINESS_TZ).date()


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, BUSINESS_TZ).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in India (aware)."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`): both days included, Indian time."""
    return day_start(first), day_start(last + timedelta(days=1))


def add_business_days(day: date, count: int) -> date:
    """`day` plus `count` weekdays (Mon-Fri); public holidays are not known here.

    Friday + 1 is Monday; a weekend day + 1 is Monday too; + 0 is the day itself.
    """
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def format_age(age: timedelta) -> str:
    """A short, operator-friendly age: '45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    seconds = max(int(age.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
