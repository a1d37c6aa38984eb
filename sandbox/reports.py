"""The settlement report: an HTML list of payout days and one CSV per day (what a gateway
dashboard exports), plus the same CSV under the control API for scripts.

Read-only and unauthenticated like the console: the sandbox is never switched on in production.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sandbox import conf
from sandbox.exceptions import BadRequest
from sandbox.jsonapi import api_endpoint
from sandbox.services import settlements

EXAMPLE_AMOUNT_PAISE = 149900


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None  # the URL pattern admits 2025-02-30 and 2025-13-01


def _csv_response(day: date) -> HttpResponse:
    response = HttpResponse(settlements.csv_for(day), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settlement-{day.isoformat()}.csv"'
    return response


@require_GET
def settlement_csv(request: HttpRequest, day: str) -> HttpResponse:
    parsed = _day(day)
    if parsed is None:
        raise Http404(f"{day} is not a date.")
    return _csv_response(parsed)


@api_endpoint("GET", auth=False)
def control_settlement_csv(request: HttpRequest, day: str) -> HttpResponse:
    """The same CSV for scripts, with the control API's JSON errors."""
    parsed = _day(day)
    if parsed is None:
        raise BadRequest(f"{day} is not a date (YYYY-MM-DD).")
    return _csv_response(parsed)


def _example() -> dict[str, object]:
    fee, tax = settlements.fee_and_tax(EXAMPLE_AMOUNT_PAISE)
    return {
        "amount": EXAMPLE_AMOUNT_PAISE,
        "fee": fee,
        "tax": tax,
        "net": EXAMPLE_AMOUNT_PAISE - fee - tax,
        "exact_fee": Decimal(EXAMPLE_AMOUNT_PAISE) * conf.fee_percent() / 10000,
        "exact_tax": Decimal(fee) * conf.fee_tax_percent() / 10000,
    }


def _rule(days: int) -> str:
    if days == 0:
        return "on its transaction date if that is a business day, else on the next business day"
    if days == 1:
        return (
            "on the next business day: Monday to Thursday the day after, Friday, Saturday and "
            "Sunday the next Monday"
        )
    suffix = "th" if 10 <= days % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(days % 10, "th")
    return f"on the {days}{suffix} business day after its transaction date"


@require_GET
def settlements_page(request: HttpRequest) -> HttpResponse:
    context = {
        "days": settlements.recent_days(),
        "page_days": settlements.PAGE_DAYS,
        "settlement_days": conf.settlement_days(),
        "settlement_rule": _rule(conf.settlement_days()),
        "fee_percent": conf.fee_percent(),
        "fee_tax_percent": conf.fee_tax_percent(),
        "time_zone": settings.TIME_ZONE,
        "csv_header": ",".join(settlements.CSV_HEADER),
        "example": _example(),
        "merchant_id": conf.merchant_id(),
    }
    return render(request, "sandbox/settlements.html", context)
