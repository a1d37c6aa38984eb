from django import template

from payments.money import format_inr

register = template.Library()


@register.filter
def inr(paise: int | None) -> str:
    """{{ order.total_paise|inr }} -> ₹1,499.00"""
    if paise is None:
        return ""
    return format_inr(int(paise))
