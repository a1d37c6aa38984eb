"""Rupee text <-> integer paise, exactly (Decimal, never float)."""

from __future__ import annotations

import re
from decimal import Decimal

_RUPEES = re.compile(r"-?\d{1,13}(\.\d{1,2})?")


class MoneyFormatError(ValueError):
    pass


def parse_rupees(text: str) -> int:
    """'1499.50' -> 149950. Refuses more than two decimals, grouping, exponents, blanks."""
    cleaned = text.strip()
    if not _RUPEES.fullmatch(cleaned):
        raise MoneyFormatError(f"{text!r} is not an amount in rupees with at most two decimals")
    return int(Decimal(cleaned) * 100)


def rupees(paise: int | None) -> str:
    """149950 -> '1499.50' (plain, for files: no symbol, no grouping). None -> ''."""
    if paise is None:
        return ""
    sign = "-" if paise < 0 else ""
    whole, rest = divmod(abs(paise), 100)
    return f"{sign}{whole}.{rest:02d}"
