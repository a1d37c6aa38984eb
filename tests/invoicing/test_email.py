"""The receipt carries the tax invoice; the refund notice carries the credit note."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from invoicing.files import pdf_read
from invoicing.models import Invoice
from payments.services.receipts import order_send_receipt, refund_send_email
from tests.invoicing.factories import (
    TEA,
    complete_refund,
    paid_before_invoicing,
    pay,
    pdf_text,
    sample_order,
)

pytestmark = pytest.mark.django_db


def test_the_receipt_carries_the_invoice_pdf() -> None:
    order = pay(sample_order())
    invoice = Invoice.objects.get(order=order)

    assert order_send_receipt(order_id=order.pk) is True

    (message,) = mail.outbox
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert filename == f"{invoice.number.replace('/', '-')}.pdf"
    assert mimetype == "application/pdf"
    invoice.refresh_from_db()  # rendered for this email, and kept
    assert content == Path(invoice.pdf.path).read_bytes()
    assert invoice.number in pdf_text(content)


def test_an_order_paid_before_invoicing_gets_its_invoice_with_the_receipt() -> None:
    order = paid_before_invoicing(sample_order())

    order_send_receipt(order_id=order.pk)

    invoice = Invoice.objects.get(order=order)
    (attachment,) = mail.outbox[0].attachments
    assert attachment[0] == invoice.filename


def test_a_document_that_cannot_be_attached_does_not_stop_the_receipt(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    order = pay(sample_order())

    def broken(document: object) -> bytes:
        raise OSError("disk unavailable")

    monkeypatch.setattr("invoicing.receivers.pdf_read", broken)
    order_send_receipt(order_id=order.pk)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments == []
    assert "could not attach the invoice" in caplog.text


def test_the_refund_notice_carries_the_credit_note() -> None:
    order = pay(sample_order())
    refund = complete_refund(order, lines=[(TEA, 1)])

    assert refund_send_email(refund_id=refund.pk) is True

    (message,) = mail.outbox
    (attachment,) = message.attachments
    assert attachment == (
        f"{refund.credit_note.number.replace('/', '-')}.pdf",
        pdf_read(refund.credit_note),
        "application/pdf",
    )
