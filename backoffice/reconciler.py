"""Running a reconciliation: our payments and refunds of a date range, one gateway call each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from backoffice import conf
from backoffice.dates import day_range
from backoffice.reconciliation import (
    Finding,
    PaymentRow,
    RefundRow,
    compare_payment,
    compare_refund,
    could_not_check,
    payment_not_found,
    refund_not_found,
)
from payments.gateways import get_gateway
from payments.gateways.base import Gateway, GatewayError, GatewayNotFound
from payments.models import Payment, Refund


@dataclass
class ReconciliationResult:
    date_from: date
    date_to: date
    total_items: int  # payments and refunds in the range
    limit: int
    checked_payments: int = 0
    checked_refunds: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.checked_payments + self.checked_refunds

    @property
    def capped(self) -> bool:
        return self.checked < self.total_items

    @property
    def mismatches(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_mismatch]

    @property
    def unchecked(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.is_mismatch]

    @property
    def summary(self) -> str:
        lines = [
            f"Reconciliation {self.date_from} to {self.date_to}: checked "
            f"{self.checked_payments} payments and {self.checked_refunds} refunds."
        ]
        if self.capped:
            lines.append(
                f"Stopped at the limit of {self.limit} gateway calls: "
                f"{self.total_items - self.checked} of {self.total_items} items were not checked. "
                "Reconcile a shorter range."
            )
        if self.mismatches:
            lines.append(f"{len(self.mismatches)} mismatches.")
        elif not self.unchecked:
            lines.append("No mismatches: we and the gateway agree on everything checked.")
        else:
            lines.append("No mismatches among what could be checked.")
        if self.unchecked:
            lines.append(f"{len(self.unchecked)} items could not be checked (gateway errors).")
        return " ".join(lines)


def _payment_row(payment: Payment) -> PaymentRow:
    return PaymentRow(
        merchant_order_id=payment.merchant_order_id,
        order_number=payment.order.number,
        state=payment.state,
        amount_paise=payment.amount_paise,
        paid_amount_paise=payment.paid_amount_paise,
        created_at=payment.created_at,
    )


def _refund_row(refund: Refund) -> RefundRow:
    return RefundRow(
        merchant_refund_id=refund.merchant_refund_id,
        order_number=refund.order.number,
        state=refund.state,
        amount_paise=refund.amount_paise,
        created_at=refund.created_at,
    )


def reconcile(
    *,
    date_from: date,
    date_to: date,
    gateway: Gateway | None = None,
    limit: int | None = None,
) -> ReconciliationResult:
    """Ask the gateway about every payment and refund created in the range (Indian days).

    Read-only: changes nothing here or at the gateway. Sequential, one status call per item,
    oldest first, at most `limit` calls (BACKOFFICE_RECONCILE_MAX_ITEMS); the result says when
    the limit cut the run short. Gateway errors other than 404 become "could not check".
    """
    gateway = gateway or get_gateway()
    limit = limit or conf.reconcile_max_items()
    start, end = day_range(date_from, date_to)
    payments = Payment.objects.filter(created_at__gte=start, created_at__lt=end)
    refunds = Refund.objects.filter(created_at__gte=start, created_at__lt=end)
    result = ReconciliationResult(
        date_from=date_from,
        date_to=date_to,
        total_items=payments.count() + refunds.count(),
        limit=limit,
    )
    for payment in payments.select_related("order").order_by("created_at", "id")[:limit]:
        payment_row = _payment_row(payment)
        try:
            status = gateway.get_order_status(payment_row.merchant_order_id)
        except GatewayNotFound:
            result.findings += payment_not_found(payment_row)
        except GatewayError as error:
            result.findings.append(could_not_check(payment_row, error))
        else:
            result.findings += compare_payment(payment_row, status)
        result.checked_payments += 1
    remaining = limit - result.checked_payments
    for refund in refunds.select_related("order").order_by("created_at", "id")[:remaining]:
        refund_row = _refund_row(refund)
        try:
            refund_status = gateway.get_refund_status(refund_row.merchant_refund_id)
        except GatewayNotFound:
            result.findings += refund_not_found(refund_row)
        except GatewayError as error:
            result.findings.append(could_not_check(refund_row, error))
        else:
            result.findings += compare_refund(refund_row, refund_status)
        result.checked_refunds += 1
    return result
