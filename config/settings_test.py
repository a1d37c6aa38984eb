"""Settings for the test suite: the development shape, isolated from a running `make run`.

The values are passed through the environment so that the Celery worker the functional tests
start in another process (with this same settings module) agrees with the test process on the
queue, the broker folder and the mail folder.
"""

import os
import uuid
from pathlib import Path

_var = Path(__file__).resolve().parent.parent / "var"
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"test-{uuid.uuid4().hex[:10]}")
os.environ.setdefault("CELERY_EMAIL_QUEUE", f"{os.environ['CELERY_TASK_DEFAULT_QUEUE']}-email")
os.environ.setdefault("CELERY_FILESYSTEM_DIR", str(_var / "test-celery"))
os.environ.setdefault("EMAIL_URL", f"filemail:///{_var / 'test-mail'}")
os.environ.setdefault("PAYMENTS_SWEEP_INTERVAL_SECONDS", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# No sandbox webhooks unless a test turns them on (the functional tests point them at the live
# server); otherwise deliveries would queue up with no worker and no shop to receive them.
os.environ.setdefault("SANDBOX_WEBHOOK_URL", "")
os.environ.setdefault("INVOICE_FILES_ROOT", str(_var / "test-documents"))
# Rate limits and the sign-in lockout are off, except in the tests of them (tests/security), which
# switch them on; each process counts in its own memory, never in a Redis other runs share.
os.environ.setdefault("RATE_LIMITS_ENABLED", "false")
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("CACHE_URL", "locmemcache://")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file per test run, so two runs in one checkout do not share (and delete) one database.
    DATABASES["default"]["TEST"] = {"NAME": str(_var / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
