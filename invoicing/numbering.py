"""Document numbers: consecutive per kind and Indian financial year (invoicing.fiscal), with no
gaps. Numbers look like `LL/26-27/000001` (invoices) and `CN/26-27/000001` (credit
notes); the prefixes come from settings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from invoicing.models import DocumentKind, DocumentSequence

SEQUENCE_DIGITS = 6


def prefix_for(kind: str) -> str:
    if kind == DocumentKind.INVOICE:
        return settings.INVOICE_NUMBER_PREFIX
    return settings.INVOICE_CREDIT_NOTE_PREFIX


def format_number(kind: str, year: str, sequence: int) -> str:
    # GST rule 46(b): at most 16 characters, so the year is written short: LL/26-27/000001.
    return f"{prefix_for(kind)}/{year[2:]}/{sequence:0{SEQUENCE_DIGITS}d}"


def sequence_take_next(*, kind: str, year: str) -> int:
    """The next number of `kind` in `year`, taken under the sequence row's lock.

    Must run inside the transaction that creates the document: the lock is held until it
    commits, so concurrent issuers queue here and each gets the next number; if the issuing
    transaction rolls back, so does the increment, leaving no gap. The row for a new year is
    created on first use (a concurrent creator loses the unique race and then reads it).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Take a document number inside the issuing transaction.")
    row, _ = DocumentSequence.objects.select_for_update().get_or_create(
        kind=kind, financial_year=year, defaults={"last_number": 0}
    )
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number
