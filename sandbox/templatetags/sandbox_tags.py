from datetime import datetime

from django import template
from django.utils import timezone

from sandbox.money import format_inr

register = template.Library()


@register.filter
def inr(amount_paise: int) -> str:
    return format_inr(int(amount_paise))


@register.filter
def time_left(moment: datetime) -> str:
    """'14 min 32 s' until `moment`; '0 s' once it has passed."""
    seconds = max(int((moment - timezone.now()).total_seconds()), 0)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"
