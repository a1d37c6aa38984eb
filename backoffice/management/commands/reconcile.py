"""python manage.py reconcile --from 2026-11-01 --to 2026-11-07 [--format text|csv]

Exit status, for cron: 0 everything checked and clean; 1 mismatches found; 2 no mismatches but
some items could not be checked (gateway errors, or the per-run limit was reached).
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backoffice.forms import validate_range
from backoffice.reconciler import ReconciliationResult, reconcile
from backoffice.reconciliation import Finding

COLUMNS = ["kind", "subject", "reference", "order", "ours", "theirs", "detail"]
EXIT_MISMATCHES = 1
EXIT_INCOMPLETE = 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from error


def _cells(finding: Finding) -> list[str]:
    return [
        finding.kind.value,
        finding.subject,
        finding.reference,
        finding.order_number,
        finding.ours,
        finding.theirs,
        finding.detail,
    ]


class Command(BaseCommand):
    help = (
        "Compare our payments and refunds created in a date range (Indian dates, both included) "
        "with the gateway's status API and list every mismatch. Exits 1 on mismatches, 2 when "
        "some items could not be checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, type=_iso_date)
        parser.add_argument("--to", dest="date_to", required=True, type=_iso_date)
        parser.add_argument(
            "--format", dest="output_format", choices=["text", "csv"], default="text"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = options["date_from"], options["date_to"]
        try:
            validate_range(date_from, date_to)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        result = reconcile(date_from=date_from, date_to=date_to)
        if options["output_format"] == "csv":
            self._write_csv(result)
        else:
            self._write_text(result)
        if result.mismatches:
            raise SystemExit(EXIT_MISMATCHES)
        if result.unchecked or result.capped:
            raise SystemExit(EXIT_INCOMPLETE)

    def _write_csv(self, result: ReconciliationResult) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(_cells(finding) for finding in result.findings)
        # The summary goes to stderr so the CSV on stdout stays machine-readable.
        self.stderr.write(result.summary)

    def _write_text(self, result: ReconciliationResult) -> None:
        self.stdout.write(result.summary)
        if not result.findings:
            return
        rows = [COLUMNS, *(_cells(finding) for finding in result.findings)]
        # Every column but the last is padded; the detail runs on.
        widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS) - 1)]
        for row in rows:
            padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*padded, row[-1]]).rstrip())
