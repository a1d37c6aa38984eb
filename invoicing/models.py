"""Tax invoices and credit notes: issued once, numbered without gaps per financial year, never
changed afterwards.

Each document keeps `content`, the snapshot of everything printed on it (seller, buyer, rows,
totals, words) taken when it was issued; the PDF is rendered from that snapshot alone, so a lost
file renders again to the same document even if settings, products or the order change later.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from invoicing.exceptions import DocumentImmutable
from invoicing.storage import get_invoice_storage
from payments.models import Order, Refund


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Tax invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class DocumentSequence(models.Model):
    """The last number used, per kind of document and financial year.

    Locked (select_for_update) by the transaction that issues a document and advanced in it, so
    a rolled-back issue gives its number back and two issuers never take the same one.
    """

    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    financial_year = models.CharField(max_length=7, help_text="Like 2026-27 (April to March).")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "financial_year"], name="document_sequence_unique_kind_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.financial_year}: {self.last_number}"


def _upload_to(folder: str, instance: IssuedDocument, filename: str) -> str:
    return f"{folder}/{instance.financial_year}/{filename}"


def invoice_upload_to(instance: IssuedDocument, filename: str) -> str:
    return _upload_to("invoices", instance, filename)


def credit_note_upload_to(instance: IssuedDocument, filename: str) -> str:
    return _upload_to("credit-notes", instance, filename)


class IssuedDocument(models.Model):
    """What an invoice and a credit note share."""

    number = models.CharField(max_length=40, unique=True)
    financial_year = models.CharField(max_length=7)
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    # The snapshot the PDF is rendered from (see the module docstring).
    content = models.JSONField()
    taxable_paise = models.PositiveBigIntegerField()
    tax_paise = models.PositiveBigIntegerField()
    total_paise = models.PositiveBigIntegerField()
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Issued means final: a correction is a credit note, never an edit.
        if not self._state.adding:
            raise DocumentImmutable(f"{self.number} is issued and cannot be changed.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        """The name the customer sees: the number, with '/' (not allowed in file names) as '-'."""
        return f"{self.number.replace('/', '-')}.pdf"


class Invoice(IssuedDocument):
    """The GST tax invoice of a paid order (at most one per order)."""

    order = models.OneToOneField(Order, related_name="invoice", on_delete=models.PROTECT)
    pdf = models.FileField(upload_to=invoice_upload_to, storage=get_invoice_storage, max_length=200)

    class Meta:
        ordering = ["-issued_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "sequence"], name="invoice_unique_year_sequence"
            ),
        ]


class CreditNote(IssuedDocument):
    """The GST credit note of a completed refund (at most one per refund), against an invoice."""

    refund = models.OneToOneField(Refund, related_name="credit_note", on_delete=models.PROTECT)
    invoice = models.ForeignKey(Invoice, related_name="credit_notes", on_delete=models.PROTECT)
    pdf = models.FileField(
        upload_to=credit_note_upload_to, storage=get_invoice_storage, max_length=200
    )

    class Meta:
        ordering = ["-issued_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "sequence"], name="credit_note_unique_year_sequence"
            ),
        ]
