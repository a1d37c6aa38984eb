"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the live shop.

Playwright's own browser download does not work here, so the system Chromium is used. In CI a
missing browser is a failure; elsewhere these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without these, Chromium reaches for Google's services, which this network refuses.
        "args": ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"],
    }  # fmt: skip


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], shop_url: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "base_url": shop_url,
        "viewport": {"width": 1280, "height": 900},
    }
