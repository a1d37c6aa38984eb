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


def _render_first(document: Document) -> bytes:
    data = render_pdf(document.content)
    digest = _sha256(data)
    name = _name_for(document, digest)
    _store(document, name, data)
    # Filling in the file of an issued document (not changing what it says): update, not save.
    type(document).objects.filter(pk=document.pk, pdf_sha256="").update(pdf=name, pdf_sha256=digest)
    document.pdf.name, document.pdf_sha256 = name, digest
    return data


def pdf_read(document: Document) -> bytes:
    """The document's PDF. Rendered from its stored snapshot on first use (not while the issuing
    transaction holds the number sequence), then kept; a missing or damaged file is rendered
    again and written back, so what a customer gets never depends on the file surviving.
    The renderer is deterministic: the same snapshot gives the same bytes in any process."""
    storage = document.pdf.storage
    if not document.pdf_sha256:
        return _render_first(document)
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
