"""Rupee formatting from integer paise, Indian digit grouping, no floats."""


def group_indian(number: int) -> str:
    """1234567 -> '12,34,567': the last three digits, then groups of two."""
    digits = str(number)
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


def format_inr(amount_paise: int) -> str:
    """149900 -> '₹1,499.00'."""
    sign = "-" if amount_paise < 0 else ""
    rupees, paise = divmod(abs(amount_paise), 100)
    return f"{sign}₹{group_indian(rupees)}.{paise:02d}"


def format_rupees(amount_paise: int) -> str:
    """149900 -> '1499.00', -5000 -> '-50.00': plain rupees for CSV exports (no grouping)."""
    sign = "-" if amount_paise < 0 else ""
    rupees, paise = divmod(abs(amount_paise), 100)
    return f"{sign}{rupees}.{paise:02d}"
