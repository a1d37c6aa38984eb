"""Operators' input: date ranges (inclusive Indian dates), export kinds, settlement files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from backoffice.conf import MAX_RANGE_DAYS
from backoffice.dates import local_today

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def validate_range(date_from: date, date_to: date) -> None:
    """Raises ValidationError for a range that ends before it starts or is longer than a year."""
    if date_from > date_to:
        raise ValidationError("The start date is after the end date.", code="reversed")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(
            f"Choose at most {MAX_RANGE_DAYS} days (from and to included).", code="too_long"
        )


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}), help_text="Included."
    )
    date_to = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}), help_text="Included."
    )

    @classmethod
    def last_days(cls, days: int, **kwargs: Any) -> DateRangeForm:
        """An unbound form proposing the last `days` days up to today (Indian dates)."""
        today = local_today()
        initial = {"date_from": today - timedelta(days=days - 1), "date_to": today}
        return cls(initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            validate_range(date_from, date_to)
        return cleaned


class ExportForm(DateRangeForm):
    ORDERS, PAYMENTS = "orders", "payments"
    kind = forms.ChoiceField(
        label="Export",
        choices=[(ORDERS, "Orders"), (PAYMENTS, "Payments")],
        initial=ORDERS,
        widget=forms.RadioSelect,
    )


class SettlementUploadForm(forms.Form):
    file = forms.FileField(
        label="Settlement file (CSV)",
        help_text="The gateway's daily settlement report. Lines already uploaded are skipped.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", code="too_big"
            )
        return upload
