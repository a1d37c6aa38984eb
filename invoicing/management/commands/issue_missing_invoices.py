"""Issue the documents that are missing: for orders paid before invoicing was installed, or whose
issue failed when they were paid. Safe to run any number of times."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from invoicing.services import documents_issue_missing


class Command(BaseCommand):
    help = (
        "Issue tax invoices for paid orders that have none (oldest payment first), then credit "
        "notes for completed refunds that have none. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        invoices, notes = documents_issue_missing()
        for invoice in invoices:
            self.stdout.write(f"Issued {invoice.number} for order {invoice.order.number}")
        for note in notes:
            self.stdout.write(f"Issued {note.number} for refund {note.refund.merchant_refund_id}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(invoices)} invoice(s), {len(notes)} credit note(s) issued.")
        )
