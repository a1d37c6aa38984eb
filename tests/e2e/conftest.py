"""Browser tests: Playwright drives Debian's Chromium against the live shop (launch settings in
tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], shop_url: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "base_url": shop_url,
        "viewport": {"width": 1280, "height": 900},
    }
