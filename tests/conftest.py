"""Shared test setup. tests/live.py holds the live server, sandbox and Celery worker fixtures."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow DB use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live server, the sandbox and the Celery worker, shared by tests/functional and tests/e2e.
pytest_plugins = ["tests.live"]


def _check_services_reachable() -> list[str]:
    """With CI=true, the database and broker the run is configured for must answer."""
    from django.conf import settings
    from django.db import connection

    problems = []
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means the same thing here
        problems.append(f"database {settings.DATABASES['default']['ENGINE']}: {exc}")
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        import redis

        try:
            redis.Redis.from_url(broker, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(f"broker {broker}: {exc}")
    return problems


@pytest.fixture(scope="session", autouse=True)
def _services_reachable_in_ci(django_db_blocker: pytest.FixtureRequest) -> None:
    if os.environ.get("CI", "").lower() != "true":
        return
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        problems = _check_services_reachable()
    if problems:
        pytest.exit(
            "CI=true and a configured service is unreachable: " + "; ".join(problems), returncode=3
        )


# Playwright's own browser download does not work here: Debian's Chromium is used. In CI a missing
# browser is a failure; elsewhere the browser tests are skipped with the reason.
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
