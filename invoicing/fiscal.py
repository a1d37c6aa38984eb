"""India's financial year: 1 April to 31 March, in India Standard Time whatever the server's zone.

An invoice issued at 00:05 IST on 1 April 2027 (18:35 UTC on 31 March) belongs to 2027-28.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")


def india_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Document times must be timezone-aware.")
    return moment.astimezone(INDIA)


def india_date(moment: datetime) -> date:
    return india_time(moment).date()


def financial_year(moment: datetime) -> str:
    """'2026-27' for any moment from 1 April 2026 00:00 IST to 31 March 2027 23:59:59 IST."""
    local = india_time(moment)
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start}-{(start + 1) % 100:02d}"
