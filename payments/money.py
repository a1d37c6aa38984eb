"""Money is integer paise everywhere; this is the only place it becomes text."""

from __future__ import annotations


def group_indian(digits: str) -> str:
    """'14990000' -> '1,49,90,000': the last three digits, then groups of two (lakh, crore)."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def format_inr(paise: int, *, symbol: bool = True, drop_zero_paise: bool = False) -> str:
    """149900 -> '₹1,499.00'. Integer arithmetic only; negative amounts keep their sign."""
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise TypeError(f"Amounts are integer paise, got {type(paise).__name__}")
    sign = "-" if paise < 0 else ""
    rupees, rest = divmod(abs(paise), 100)
    text = group_indian(str(rupees))
    if not (drop_zero_paise and rest == 0):
        text = f"{text}.{rest:02d}"
    return f"{sign}{'₹' if symbol else ''}{text}"
