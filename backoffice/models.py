"""Settlement reports uploaded by finance, and their lines (money in paise, signed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from payments.models import Payment, Refund


class SettlementReport(models.Model):
    """One uploaded settlement file. Totals cover the lines this upload added (not duplicates)."""

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    settlement_date_from = models.DateField()
    settlement_date_to = models.DateField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    line_count = models.PositiveIntegerField(help_text="Lines saved by this upload.")
    duplicate_count = models.PositiveIntegerField(
        default=0, help_text="Lines skipped because an earlier upload (or this file) had them."
    )
    payment_count = models.PositiveIntegerField(default=0)
    refund_count = models.PositiveIntegerField(default=0)
    amount_paise = models.BigIntegerField(default=0)
    fee_paise = models.BigIntegerField(default=0)
    tax_on_fee_paise = models.BigIntegerField(default=0)
    net_paise = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.settlement_date_from} to {self.settlement_date_to})"


class SettlementLine(models.Model):
    """One row of a settlement file. Refund rows carry negative amounts, as in the file."""

    class Type(models.TextChoices):
        PAYMENT = "PAYMENT", "Payment"
        REFUND = "REFUND", "Refund"

    class Match(models.TextChoices):
        MATCHED = "MATCHED", "Matched"
        MISMATCHED = "MISMATCHED", "Found, amount or fee differs"
        UNMATCHED = "UNMATCHED", "No such payment or refund here"

    report = models.ForeignKey(SettlementReport, related_name="lines", on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField(help_text="Line number in the uploaded file.")
    transaction_id = models.CharField(max_length=64, blank=True)
    merchant_order_id = models.CharField(max_length=63, blank=True, db_index=True)
    merchant_refund_id = models.CharField(max_length=63, blank=True, db_index=True)
    type = models.CharField(max_length=8, choices=Type.choices)
    amount_paise = models.BigIntegerField()
    fee_paise = models.BigIntegerField()
    tax_on_fee_paise = models.BigIntegerField()
    net_paise = models.BigIntegerField()
    transaction_date = models.DateField()
    settlement_date = models.DateField(db_index=True)
    utr = models.CharField("UTR", max_length=64, blank=True)
    # SET_NULL: a settlement line must never stop anything in `payments` from being deleted.
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="settlement_lines",
    )
    refund = models.ForeignKey(
        Refund,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="settlement_lines",
    )
    match_status = models.CharField(max_length=10, choices=Match.choices, db_index=True)
    match_note = models.TextField(blank=True)

    class Meta:
        ordering = ["settlement_date", "report_id", "row_number"]
        constraints = [
            # Re-uploading a file (or an overlapping one) must not count a payout twice.
            models.UniqueConstraint(
                fields=[
                    "transaction_id",
                    "merchant_order_id",
                    "merchant_refund_id",
                    "type",
                    "settlement_date",
                ],
                name="settlement_line_unique_per_day",
            ),
        ]

    def __str__(self) -> str:
        subject = self.merchant_refund_id or self.merchant_order_id or self.transaction_id
        return f"{self.type} {subject} on {self.settlement_date}"
