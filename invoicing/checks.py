"""System checks: the seller details printed on every invoice must be a plausible GST identity."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from invoicing.states import GSTIN_PATTERN, gstin_check_character, state_code


@register("invoicing")
def check_number_prefixes(**kwargs: Any) -> list[CheckMessage]:
    """GST rule 46(b): an invoice number has at most 16 characters (prefix + 13 here)."""
    return [
        Error(
            f"{name} {getattr(settings, name)!r} is longer than 3 characters: document numbers "
            "would exceed the 16 characters GST allows.",
            id="invoicing.E004",
        )
        for name in ("INVOICE_NUMBER_PREFIX", "INVOICE_CREDIT_NOTE_PREFIX")
        if len(getattr(settings, name)) > 3
    ]


@register("invoicing")
def check_seller(**kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    gstin = settings.INVOICE_SELLER_GSTIN
    code = state_code(settings.INVOICE_SELLER_STATE)
    if not code:
        problems.append(
            Error(
                f"INVOICE_SELLER_STATE {settings.INVOICE_SELLER_STATE!r} is not an Indian state "
                "or union territory with a GST state code.",
                id="invoicing.E001",
            )
        )
    if not GSTIN_PATTERN.match(gstin):
        problems.append(
            Error(
                f"INVOICE_SELLER_GSTIN {gstin!r} is not a GSTIN (15 characters, e.g. "
                "29ABCDE1234F1ZW).",
                id="invoicing.E002",
            )
        )
        return problems
    if code and gstin[:2] != code:
        problems.append(
            Error(
                f"INVOICE_SELLER_GSTIN starts with {gstin[:2]}, but INVOICE_SELLER_STATE "
                f"{settings.INVOICE_SELLER_STATE} has the GST state code {code}.",
                id="invoicing.E003",
            )
        )
    if gstin_check_character(gstin[:14]) != gstin[14]:
        problems.append(
            Warning(
                f"INVOICE_SELLER_GSTIN {gstin} fails the GSTIN checksum; check it for typos.",
                id="invoicing.W001",
            )
        )
    return problems
