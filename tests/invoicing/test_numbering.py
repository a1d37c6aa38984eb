"""Numbers: consecutive per financial year and kind, no gaps, no duplicates, even in a race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from invoicing.fiscal import INDIA
from invoicing.models import DocumentSequence, Invoice
from invoicing.numbering import sequence_take_next
from invoicing.services import credit_note_issue, invoice_issue
from payments.models import Order
from tests.invoicing.factories import (
    TEA,
    complete_refund,
    order_with,
    paid_before_invoicing,
    pay,
    sample_order,
)

LAST_MOMENT_OF_2026_27 = datetime(2027, 3, 31, 23, 59, 59, tzinfo=INDIA)
FIRST_MOMENT_OF_2027_28 = datetime(2027, 4, 1, 0, 0, 0, tzinfo=INDIA)


def paid_order() -> Order:
    return paid_before_invoicing(order_with([TEA]))


@pytest.mark.django_db
def test_the_first_invoice_of_a_financial_year_is_number_one() -> None:
    first = invoice_issue(order=paid_order(), issued_at=datetime(2026, 4, 1, 9, tzinfo=INDIA))
    second = invoice_issue(order=paid_order(), issued_at=datetime(2026, 4, 2, 9, tzinfo=INDIA))

    assert (first.number, first.financial_year, first.sequence) == (
        "LL/26-27/000001",
        "2026-27",
        1,
    )
    assert second.number == "LL/26-27/000002"


@pytest.mark.django_db
def test_numbering_starts_again_on_the_first_of_april() -> None:
    invoice_issue(order=paid_order(), issued_at=datetime(2027, 3, 1, tzinfo=INDIA))
    march = invoice_issue(order=paid_order(), issued_at=LAST_MOMENT_OF_2026_27)
    april = invoice_issue(order=paid_order(), issued_at=FIRST_MOMENT_OF_2027_28)

    assert march.number == "LL/26-27/000002"
    assert april.number == "LL/27-28/000001"
    assert april.content["date"] == "2027-04-01"
    assert {(s.financial_year, s.last_number) for s in DocumentSequence.objects.all()} == {
        ("2026-27", 2),
        ("2027-28", 1),
    }


@pytest.mark.django_db
def test_credit_notes_have_their_own_series() -> None:
    order = pay(sample_order())

    refund = complete_refund(order, lines=[(TEA, 1)])

    assert refund.credit_note.number.startswith("CN/")
    assert refund.credit_note.number.endswith("/000001")
    assert order.invoice.number.endswith("/000001")
    assert credit_note_issue(refund=refund) == refund.credit_note


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back() -> None:
    class Abort(Exception):
        pass

    def issue_then_fail(order: Order) -> None:
        with transaction.atomic():
            invoice_issue(order=order, issued_at=LAST_MOMENT_OF_2026_27)
            raise Abort

    with pytest.raises(Abort):
        issue_then_fail(paid_order())

    kept = invoice_issue(order=paid_order(), issued_at=LAST_MOMENT_OF_2026_27)
    assert kept.number == "LL/26-27/000001"


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_number() -> None:
    invoice = invoice_issue(order=paid_order())

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            order=paid_order(),
            number=invoice.number,
            financial_year=invoice.financial_year,
            sequence=invoice.sequence + 1,
            issued_at=invoice.issued_at,
            content={},
            taxable_paise=0,
            tax_paise=0,
            total_paise=0,
            pdf_sha256="",
        )


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        sequence_take_next(kind="invoice", year="2026-27")
    assert not DocumentSequence.objects.exists()


def race(workers: int, job: Callable[[int], Any]) -> list[Any]:
    """Run `job(i)` in `workers` threads released together; return results or exceptions."""
    barrier = threading.Barrier(workers)

    def run(i: int) -> Any:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            return job(i)
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(workers)))


@pytest.mark.django_db(transaction=True)
def test_orders_paid_at_the_same_time_get_distinct_consecutive_numbers() -> None:
    orders = [order_with([TEA]) for _ in range(8)]

    results = race(len(orders), lambda i: pay(orders[i]))

    assert all(isinstance(r, Order) for r in results), results
    invoices = Invoice.objects.order_by("sequence")
    assert [i.sequence for i in invoices] == list(range(1, 9))
    assert len({i.number for i in invoices}) == 8
    assert {i.order_id for i in invoices} == {o.pk for o in orders}
    assert DocumentSequence.objects.get(kind="invoice").last_number == 8


@pytest.mark.django_db(transaction=True)
def test_one_order_issued_from_many_threads_gets_one_invoice() -> None:
    order = paid_order()

    results = race(5, lambda i: invoice_issue(order=order))

    assert all(isinstance(r, Invoice) for r in results), results
    assert {r.number for r in results} == {Invoice.objects.get().number}
    assert DocumentSequence.objects.get(kind="invoice").last_number == 1
