"""Epoch conversions with integer arithmetic (no float rounding in wire timestamps)."""

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def epoch_seconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)
