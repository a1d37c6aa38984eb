"""Fixtures for tests of the running product (tests/functional and tests/e2e): the shop on a live
server, the sandbox gateway reached over real HTTP by our PhonePe adapter, and a real Celery
worker (with beat) in its own process on the real broker. Loaded once, by tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import TransactionTestCase

from config.celery import app as celery_app
from tests.functional.shopper import Shopper

BASE_DIR = Path(settings.BASE_DIR)
MAIL_DIR = Path(settings.MAILERS["default"]["OPTIONS"]["file_path"])
READ_TIMEOUT = 2.0  # seconds the adapter waits for the sandbox, in the tests


def wait_for(
    check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.25, what: str = ""
) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what or check}")
        time.sleep(interval)


def _is_deadlock(exc: BaseException) -> bool:
    while exc is not None:
        if "deadlock detected" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


_flush_after_test = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]


def _flush_retrying_deadlocks(self: TransactionTestCase) -> None:
    """Empty the database after a test, as Django does, but retry when PostgreSQL breaks a deadlock.

    The Celery worker and its beat keep running between tests. Django's flush is one TRUNCATE of
    every table, which takes its locks table by table; a worker transaction that already holds a
    lock on one table and then asks for another (a due-payment sweep, say) deadlocks with it, and
    PostgreSQL may cancel the TRUNCATE. The flush rolled back as a whole, so running it again once
    the worker's transaction has finished is safe.
    """
    for attempt in range(1, 6):
        try:
            _flush_after_test(self)
            return
        except (CommandError, OperationalError) as exc:
            if attempt == 5 or not _is_deadlock(exc):
                raise
            time.sleep(0.2 * attempt)


TransactionTestCase._fixture_teardown = _flush_retrying_deadlocks  # type: ignore[attr-defined]


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def gateway_live_server(live_server: Any) -> Iterator[str]:
    """Point the adapter (and links in emails) at the live server, whose sandbox is the gateway."""
    url = live_server.url
    keys = (
        "PHONEPE_BASE_URL",
        "PHONEPE_AUTH_BASE_URL",
        "PHONEPE_READ_TIMEOUT",
        "SITE_URL",
        "SANDBOX_WEBHOOK_URL",
    )
    saved = {k: getattr(settings, k) for k in keys}
    settings.PHONEPE_BASE_URL = settings.PHONEPE_AUTH_BASE_URL = f"{url}/sandbox/pg"
    settings.SITE_URL = url
    settings.SANDBOX_WEBHOOK_URL = f"{url}/payments/webhooks/phonepe/"
    # Short, so that tests of a gateway slower than the client's patience run quickly.
    settings.PHONEPE_READ_TIMEOUT = READ_TIMEOUT
    yield url
    for key, value in saved.items():
        setattr(settings, key, value)


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None,
    django_db_blocker: Any,
    gateway_live_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker with embedded beat, in another process, on the test database."""
    run_dir = tmp_path_factory.mktemp("celery-worker")
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folders: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        shutil.rmtree(folders["data_folder_in"], ignore_errors=True)
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(folders[key]).mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        database_url = _database_url_for_worker()
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url,
        "PHONEPE_BASE_URL": settings.PHONEPE_BASE_URL,
        "PHONEPE_AUTH_BASE_URL": settings.PHONEPE_AUTH_BASE_URL,
        "SITE_URL": settings.SITE_URL,
        "SANDBOX_WEBHOOK_URL": settings.SANDBOX_WEBHOOK_URL,
        "PHONEPE_READ_TIMEOUT": str(READ_TIMEOUT),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CELERY_EMAIL_QUEUE": settings.CELERY_EMAIL_QUEUE,
        "LOG_LEVEL": "INFO",
    }
    log_path = BASE_DIR / "var" / "test-worker.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--schedule",
            str(run_dir / "beat-schedule"),
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "--hostname",
            name,
            "--queues",
            f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_EMAIL_QUEUE}",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def answered() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited ({process.returncode}); see {log_path}")
        return bool(celery_app.control.ping(destination=[name], timeout=0.5))

    wait_for(answered, timeout=60, what="the Celery worker to answer a ping")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def shop_url(
    gateway_live_server: str, celery_worker_process: subprocess.Popen[bytes], transactional_db: None
) -> str:
    assert celery_worker_process.poll() is None, "the Celery worker died"
    return gateway_live_server


@pytest.fixture
def shopper(shop_url: str) -> Iterator[Shopper]:
    client = Shopper(shop_url)
    yield client
    client.close()


class Mailbox:
    """The emails the worker sent, read from the file email backend's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def messages(self) -> list[Message]:
        if not self.folder.exists():
            return []
        found = []
        for path in sorted(self.folder.glob("*.log")):
            # The file backend separates messages with a line of 79 dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(message_from_bytes(chunk.strip()))
        return found

    @staticmethod
    def text_of(message: Message) -> str:
        """The plain-text body, as the customer's mail program shows it."""
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()

    @staticmethod
    def attachments(message: Message) -> list[tuple[str, str]]:
        """(file name, content type) of each attachment."""
        return [
            (str(part.get_filename()), part.get_content_type())
            for part in message.walk()
            if part.get_filename()
        ]

    def to(self, address: str, subject_contains: str = "") -> list[Message]:
        return [
            m
            for m in self.messages()
            if address in (m["To"] or "") and subject_contains in (m["Subject"] or "")
        ]


@pytest.fixture
def mailbox() -> Mailbox:
    box = Mailbox(MAIL_DIR)
    box.clear()
    return box


@pytest.fixture
def operator(shop_url: str) -> Iterator[Shopper]:
    """A staff member signed in to Django admin in their own browser session."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("ops", "ops@example.test", "ops-password-1")
    browser = Shopper(shop_url)
    login = browser.get("/admin/login/?next=/admin/")
    page = browser.submit(login, "#login-form", {"username": "ops", "password": "ops-password-1"})
    assert page.path == "/admin/", page.text[:300]
    yield browser
    browser.close()
