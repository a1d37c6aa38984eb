"""Putting a document's PDF in storage and reading it back, verified against its hash."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile

from invoicing.models import CreditNote, Invoice
from invoicing.pdf import render_pdf

logger = logging.getLogger(__name__)

Document = Invoice | CreditNote


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _name_for(document: Document, digest: str) -> str:
    # The hash in the name: a different rendering never lands on an issued file's name.
    stem = document.filename.removesuffix(".pdf")
    return document.pdf.field.generate_filename(document, f"{stem}-{digest[:16]}.pdf")


def _file_name(document: Document) -> str:
    return document.pdf.name or ""


def _store(document: Document, name: str, data: bytes) -> None:
    storage = document.pdf.storage
    if storage.exists(name):
        return  # same name, same hash, same bytes: written already
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # a concurrent writer stored the same bytes under `name` first
        storage.delete(saved)


def pdf_render_and_store(document: Document) -> None:
    """Render the document's snapshot and store the file, inside the issuing transaction, so the
    file exists before anything that runs after commit (the receipt task) looks for it.

    Written before the row, not on commit: if the transaction then rolls back, the file is an
    orphan that no row names, and a later issue writes under its own content-hash name (or
    finds the very same bytes already there). No on-commit work is added to the caller's
    transaction.
    """
    data = render_pdf(document.content)
    document.pdf_sha256 = _sha256(data)
    document.pdf.name = _name_for(document, document.pdf_sha256)
    _store(document, _file_name(document), data)


def pdf_read(document: Document) -> bytes:
    """The document's PDF as issued. A missing or damaged file is rendered again from the stored
    snapshot and written back, so what a customer gets never depends on the file surviving."""
    storage = document.pdf.storage
    try:
        with storage.open(_file_name(document), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        data = b""
    if data and _sha256(data) == document.pdf_sha256:
        return data
    logger.warning("PDF of %s is missing or damaged; rendering it again", document.number)
    data = render_pdf(document.content)
    digest = _sha256(data)
    if digest != document.pdf_sha256:
        # Same snapshot, different bytes: the renderer changed since issue (a reportlab
        # upgrade). The printed content is the same; keep the new file under its own name.
        logger.warning("re-rendered PDF of %s differs from the issued bytes", document.number)
        document.pdf_sha256 = digest
        document.pdf.name = _name_for(document, digest)
        type(document).objects.filter(pk=document.pk).update(
            pdf=document.pdf.name, pdf_sha256=digest
        )
    elif storage.exists(_file_name(document)):
        storage.delete(_file_name(document))  # the damaged copy
    _store(document, _file_name(document), data)
    return data
