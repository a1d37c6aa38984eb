"""Issued PDFs: rendered on first use (never while the number sequence is locked), kept
privately, and re-created identically if lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from invoicing.exceptions import DocumentImmutable
from invoicing.files import pdf_read
from invoicing.models import Invoice
from invoicing.storage import invoice_storage
from payments.models import Payment, PaymentEvent
from payments.services.payments import payment_apply_status
from payments.state import PaymentState
from tests.factories import completed_status
from tests.invoicing.factories import pay, sample_order

pytestmark = pytest.mark.django_db


def test_the_pdf_is_rendered_on_first_use_and_kept(
    invoice_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = pay(sample_order()).invoice
    assert invoice.pdf_sha256 == ""  # nothing rendered while issuing

    first = pdf_read(invoice)

    invoice = Invoice.objects.get(pk=invoice.pk)
    year = invoice.financial_year
    stem = invoice.number.replace("/", "-")
    assert invoice.pdf.name == f"invoices/{year}/{stem}-{invoice.pdf_sha256[:16]}.pdf"
    stored = Path(invoice.pdf.path)
    assert stored == invoice_files / invoice.pdf.name
    assert stored.read_bytes() == first
    assert first.startswith(b"%PDF")
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    monkeypatch.setattr("invoicing.files.render_pdf", lambda content: b"not used again")
    assert pdf_read(invoice) == first


def test_paying_renders_nothing_while_the_number_sequence_is_locked(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    order = sample_order()
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(state=PaymentState.PENDING)
    renders: list[object] = []
    monkeypatch.setattr("invoicing.files.render_pdf", lambda content: renders.append(content))
    monkeypatch.setattr("payments.tasks.send_order_receipt.delay", lambda order_id: None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment_apply_status(
            payment_id=payment.pk, status=completed_status(payment), source=PaymentEvent.Source.POLL
        )

    assert Invoice.objects.filter(order=order).exists()
    assert renders == []
    assert len(callbacks) == 1  # invoicing adds no after-commit work of its own


def test_a_rolled_back_payment_leaves_no_invoice_and_frees_the_number() -> None:
    order = sample_order()

    def pay_then_fail() -> None:
        with transaction.atomic():
            pay(order)
            raise RuntimeError("the payment's transaction failed later")

    with pytest.raises(RuntimeError):
        pay_then_fail()

    assert not Invoice.objects.exists()
    again = pay(order).invoice
    assert again.sequence == 1
    assert pdf_read(again).startswith(b"%PDF")


def test_a_lost_file_is_rendered_again_to_the_same_bytes() -> None:
    invoice = pay(sample_order()).invoice
    pdf_read(invoice)  # the first use renders it
    stored = Path(invoice.pdf.path)
    issued = stored.read_bytes()
    stored.unlink()

    assert pdf_read(invoice) == issued
    assert stored.read_bytes() == issued
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == invoice.pdf.name


def test_a_damaged_file_is_replaced() -> None:
    invoice = pay(sample_order()).invoice
    pdf_read(invoice)  # the first use renders it
    stored = Path(invoice.pdf.path)
    issued = stored.read_bytes()
    stored.write_bytes(issued[:100])

    assert pdf_read(invoice) == issued
    assert stored.read_bytes() == issued


def test_a_changed_renderer_keeps_the_content_under_a_new_file_name(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    invoice = pay(sample_order()).invoice
    pdf_read(invoice)
    original_name = invoice.pdf.name
    Path(invoice.pdf.path).unlink()
    monkeypatch.setattr("invoicing.files.render_pdf", lambda content: b"%PDF-1.4 newer renderer")

    data = pdf_read(invoice)

    reloaded = Invoice.objects.get(pk=invoice.pk)
    assert data == b"%PDF-1.4 newer renderer"
    assert reloaded.pdf.name != original_name
    assert Path(reloaded.pdf.path).read_bytes() == data
    assert "differs from the issued bytes" in caplog.text


def test_invoice_files_have_no_public_url() -> None:
    invoice = pay(sample_order()).invoice

    with pytest.raises(ValueError, match="private"):
        invoice_storage.url(invoice.pdf.name)


def test_an_issued_document_cannot_be_edited() -> None:
    invoice = pay(sample_order()).invoice

    invoice.total_paise = 1
    with pytest.raises(DocumentImmutable):
        invoice.save()
    assert Invoice.objects.get(pk=invoice.pk).total_paise == invoice.order.total_paise
