"""Where issued PDFs live: a private folder, never under MEDIA_ROOT (which DEBUG serves to anyone
who guesses a URL). Customers and operators get the files only through views that check access.

File names carry the content's hash, so an issued file is never overwritten: two writers of one
document write the same bytes to the same name, and a different rendering gets a different name.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="invoicing.storage.InvoiceFileStorage")
class InvoiceFileStorage(FileSystemStorage):
    """FileSystemStorage rooted at settings.INVOICE_FILES_ROOT, read when first needed (and again
    after a settings change, as tests do), with no public URL."""

    @cached_property
    def base_location(self) -> str:
        return str(settings.INVOICE_FILES_ROOT)

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        # The stubs allow only Django's own storage settings here; any setting name is passed.
        super()._clear_cached_properties(cast(Any, setting), **kwargs)
        if setting == "INVOICE_FILES_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Invoice files are private: serve them through the invoicing views.")


invoice_storage = InvoiceFileStorage()


def get_invoice_storage() -> InvoiceFileStorage:
    """The FileField's storage callable (keeps migrations free of storage details)."""
    return invoice_storage
