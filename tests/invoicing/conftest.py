"""Invoicing tests: issued PDFs go to a temporary folder, and the seller is a known one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SELLER_GSTIN = "29ABCDE1234F1ZW"


@pytest.fixture(autouse=True)
def invoice_files(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "invoice-files"
    settings.INVOICE_FILES_ROOT = root
    settings.INVOICE_SELLER_NAME = "Loom & Leaf Retail LLP"
    settings.INVOICE_SELLER_ADDRESS = "No. 14, 2nd Cross, Indiranagar\nBengaluru 560038"
    settings.INVOICE_SELLER_GSTIN = SELLER_GSTIN
    settings.INVOICE_SELLER_STATE = "Karnataka"
    settings.INVOICE_NUMBER_PREFIX = "LL"
    settings.INVOICE_CREDIT_NOTE_PREFIX = "CN"
    settings.INVOICE_SHIPPING_SAC = "996812"
    settings.INVOICE_SHIPPING_GST_RATE_BP = 1800
    return root
