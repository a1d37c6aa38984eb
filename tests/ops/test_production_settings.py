"""DJANGO_ENV=production: refuses to start without its settings, passes `check --deploy`, and
switches the development conveniences off. Each case in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from config.settings import REQUIRED_IN_PRODUCTION
from tests.ops.environments import production_env
from tests.ops.services import BASE_DIR, manage

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.urls import Resolver404, resolve
try:
    resolve("/sandbox/"); sandbox = True
except Resolver404:
    sandbox = False
print(json.dumps({
    "debug": s.DEBUG, "sandbox_mounted": sandbox, "sandbox_app": "sandbox" in s.INSTALLED_APPS,
    "phonepe": s.PHONEPE_BASE_URL, "log_format": s.LOG_FORMAT, "access_log": s.ACCESS_LOG,
    "cache": s.CACHES["default"]["BACKEND"], "static": s.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "connect_timeout": s.DATABASES["default"]["OPTIONS"].get("connect_timeout"),
    "axes": s.AXES_ENABLED, "rate_limits": s.RATE_LIMITS_ENABLED,
}))
"""


def probe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_every_missing_setting_is_named_at_start_up(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    for name in [*REQUIRED_IN_PRODUCTION, "PHONEPE_CLIENT_SECRET", "PHONEPE_WEBHOOK_PASSWORD"]:
        env.pop(name, None)
    env["SECRET_KEY"] = "   "  # set but blank counts as missing

    result = probe(env)

    assert result.returncode != 0
    assert "DJANGO_ENV=production cannot start without these settings." in result.stderr
    for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "ALLOWED_HOSTS"):
        assert f"Set the {name} environment variable." in result.stderr
    # PhonePe is live by default in production, so its credentials are required too
    assert "Set the PHONEPE_CLIENT_SECRET environment variable." in result.stderr
    assert "Set the PHONEPE_WEBHOOK_PASSWORD environment variable." in result.stderr


def test_production_switches_development_conveniences_off(tmp_path: Path) -> None:
    result = probe(production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    shape = json.loads(result.stdout.strip().splitlines()[-1])
    assert shape == {
        "debug": False,
        "sandbox_mounted": False,
        "sandbox_app": False,
        "phonepe": "https://api.phonepe.com/apis/pg",
        "log_format": "json",
        "access_log": True,
        "cache": "django.core.cache.backends.redis.RedisCache",
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "conn_max_age": 60,
        "connect_timeout": 5,
        "axes": True,
        "rate_limits": True,
    }


def test_check_deploy_flags_a_sandbox_left_on(tmp_path: Path) -> None:
    env = production_env(tmp_path, PHONEPE_ENV="sandbox", SANDBOX_ENABLED="true")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "ops.W002" in result.stderr
