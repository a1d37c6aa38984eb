"""Saving an uploaded settlement file: validated whole, deduplicated, matched to our rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from backoffice import conf
from backoffice.exceptions import SettlementFileInvalid
from backoffice.models import SettlementLine, SettlementReport
from backoffice.settlement_file import PAYMENT, ParsedLine, parse_settlement_file
from backoffice.settlement_rules import FeeRule, LineFacts, line_problems
from payments.models import Payment, Refund
from payments.money import format_inr
from payments.state import PaymentState


def current_fee_rule() -> FeeRule:
    return FeeRule(fee_percent=conf.fee_percent(), tax_percent=conf.fee_tax_percent())


@dataclass(frozen=True)
class UploadResult:
    report: SettlementReport | None  # None: every line was already recorded
    saved: int
    duplicates: int
    unmatched: int
    mismatched: int


def _match_payment(line: ParsedLine, payment: Payment | None, rule: FeeRule) -> tuple[str, str]:
    if payment is None:
        return SettlementLine.Match.UNMATCHED, f"No payment {line.merchant_order_id} here."
    # Not paid here: compare with what was asked, so the note is about the state alone.
    paid = payment.amount_paise if payment.paid_amount_paise is None else payment.paid_amount_paise
    facts = LineFacts(
        amount_paise=line.amount_paise,
        fee_paise=line.fee_paise,
        tax_on_fee_paise=line.tax_on_fee_paise,
        net_paise=line.net_paise,
        settlement_date=line.settlement_date,
        utr=line.utr,
    )
    problems = line_problems(facts, paid_amount_paise=paid, rule=rule)
    if payment.state != PaymentState.COMPLETED:
        # Money paid out for a payment we think was not paid: the most important thing to see.
        problems.insert(0, f"the payment is {payment.state} here")
    if problems:
        note = "; ".join(problems)
        return SettlementLine.Match.MISMATCHED, note[0].upper() + note[1:] + "."
    return SettlementLine.Match.MATCHED, ""


def _match_refund(line: ParsedLine, refund: Refund | None) -> tuple[str, str]:
    if refund is None:
        return SettlementLine.Match.UNMATCHED, f"No refund {line.merchant_refund_id} here."
    if -line.amount_paise != refund.amount_paise:
        return (
            SettlementLine.Match.MISMATCHED,
            f"Amount {format_inr(line.amount_paise)}, refund of {format_inr(refund.amount_paise)}.",
        )
    return SettlementLine.Match.MATCHED, ""


def settlement_report_upload(
    *, file_name: str, content: bytes, uploaded_by: User | None
) -> UploadResult:
    """Validate a settlement file and save its new lines, matched to our payments and refunds.

    Guarantees: all or nothing (an invalid file raises SettlementFileInvalid and saves nothing);
    a line already recorded, by an earlier upload or earlier in this file, is skipped, keyed on
    (transaction id, merchant order id, merchant refund id, type, settlement date) and enforced
    by a unique constraint, so uploading the same file twice never counts a payout twice. No
    report is written when nothing is new.
    """
    parsed = parse_settlement_file(content)
    rule = current_fee_rule()
    unique: dict[tuple[object, ...], ParsedLine] = {}
    for line in parsed:
        unique.setdefault(line.key, line)
    dates = {line.settlement_date for line in parsed}
    try:
        with transaction.atomic():
            known = set(
                SettlementLine.objects.filter(settlement_date__in=dates).values_list(
                    "transaction_id",
                    "merchant_order_id",
                    "merchant_refund_id",
                    "type",
                    "settlement_date",
                )
            )
            new_lines = [line for key, line in unique.items() if key not in known]
            if not new_lines:
                return UploadResult(None, 0, len(parsed), 0, 0)
            report, rows = _save(file_name, content, uploaded_by, parsed, new_lines, rule)
    except IntegrityError as error:
        # Only a concurrent upload of the same lines gets here; the other one won.
        raise SettlementFileInvalid(
            ["Another upload saved some of these lines at the same moment; upload it again."]
        ) from error
    statuses = [row.match_status for row in rows]
    return UploadResult(
        report=report,
        saved=len(new_lines),
        duplicates=len(parsed) - len(new_lines),
        unmatched=statuses.count(SettlementLine.Match.UNMATCHED),
        mismatched=statuses.count(SettlementLine.Match.MISMATCHED),
    )


def _save(
    file_name: str,
    content: bytes,
    uploaded_by: User | None,
    parsed: list[ParsedLine],
    new_lines: list[ParsedLine],
    rule: FeeRule,
) -> tuple[SettlementReport, list[SettlementLine]]:
    payments = Payment.objects.in_bulk(
        {line.merchant_order_id for line in new_lines if line.type == PAYMENT},
        field_name="merchant_order_id",
    )
    refunds = Refund.objects.in_bulk(
        {line.merchant_refund_id for line in new_lines if line.type != PAYMENT},
        field_name="merchant_refund_id",
    )
    report = SettlementReport.objects.create(
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        settlement_date_from=min(line.settlement_date for line in parsed),
        settlement_date_to=max(line.settlement_date for line in parsed),
        uploaded_by=uploaded_by,
        uploaded_by_name=uploaded_by.get_username() if uploaded_by else "",
        line_count=len(new_lines),
        duplicate_count=len(parsed) - len(new_lines),
        payment_count=sum(1 for line in new_lines if line.type == PAYMENT),
        refund_count=sum(1 for line in new_lines if line.type != PAYMENT),
        amount_paise=sum(line.amount_paise for line in new_lines),
        fee_paise=sum(line.fee_paise for line in new_lines),
        tax_on_fee_paise=sum(line.tax_on_fee_paise for line in new_lines),
        net_paise=sum(line.net_paise for line in new_lines),
    )
    rows = []
    for line in new_lines:
        payment = payments.get(line.merchant_order_id) if line.type == PAYMENT else None
        refund = refunds.get(line.merchant_refund_id) if line.type != PAYMENT else None
        if line.type == PAYMENT:
            match, note = _match_payment(line, payment, rule)
        else:
            match, note = _match_refund(line, refund)
        rows.append(
            SettlementLine(
                report=report,
                row_number=line.row_number,
                transaction_id=line.transaction_id,
                merchant_order_id=line.merchant_order_id,
                merchant_refund_id=line.merchant_refund_id,
                type=line.type,
                amount_paise=line.amount_paise,
                fee_paise=line.fee_paise,
                tax_on_fee_paise=line.tax_on_fee_paise,
                net_paise=line.net_paise,
                transaction_date=line.transaction_date,
                settlement_date=line.settlement_date,
                utr=line.utr,
                payment=payment,
                refund=refund,
                match_status=match,
                match_note=note,
            )
        )
    SettlementLine.objects.bulk_create(rows, batch_size=1000)
    return report, rows
