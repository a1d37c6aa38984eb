"""The production shape for real: gunicorn with DJANGO_ENV=production settings on a private
PostgreSQL and a private Redis (tests/ops/conftest.py), reached over HTTP as a TLS-terminating
proxy would (X-Forwarded-Proto: https). Then its database goes away, and comes back."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.conf import settings

from tests.ops.conftest import ProductionStack
from tests.ops.services import manage, wait_until

HTTPS = {"X-Forwarded-Proto": "https"}


def get(stack: ProductionStack, path: str, **kwargs: Any) -> requests.Response:
    headers = {**HTTPS, **kwargs.pop("headers", {})}
    return requests.get(
        f"{stack.url}{path}", headers=headers, timeout=15, allow_redirects=False, **kwargs
    )


def test_pages_carry_the_security_headers(production_stack: ProductionStack) -> None:
    response = get(production_stack, "/")

    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert len(headers["X-Request-ID"]) == 32
    if getattr(settings, "SECURE_CSP", None):  # the storefront's nonce-based policy, once it exists
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors" in policy
        assert "object-src 'none'" in policy


def test_cookies_are_secure_http_only_and_same_site(production_stack: ProductionStack) -> None:
    env = {**production_stack.env, "DJANGO_SUPERUSER_PASSWORD": "ops-Password-2026"}
    created = manage(env, "createsuperuser", "--noinput", "--username=ops", "--email=o@x.test")
    assert created.returncode == 0 or "already taken" in created.stderr, created.stderr
    login_page = get(production_stack, "/admin/login/")
    csrf_cookie = login_page.headers["Set-Cookie"]
    csrf = login_page.cookies["csrftoken"]
    origin = production_stack.url.replace("http://", "https://")

    # (requests would not send a Secure cookie over the plain-HTTP hop, so the browser's part
    # is played by hand: the cookie, and the Referer a browser on HTTPS sends)
    signed_in = requests.post(
        f"{production_stack.url}/admin/login/?next=/admin/",
        data={"username": "ops", "password": "ops-Password-2026", "csrfmiddlewaretoken": csrf},
        headers={**HTTPS, "Cookie": f"csrftoken={csrf}", "Referer": f"{origin}/admin/login/"},
        timeout=15,
        allow_redirects=False,
    )

    assert signed_in.status_code == 302, signed_in.text[:500]
    session_cookie = signed_in.headers["Set-Cookie"]
    assert "sessionid=" in session_cookie
    for cookie in (csrf_cookie, session_cookie):
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"secure", "samesite"} <= attributes, cookie
        assert "samesite=lax" in cookie.lower().replace(" ", "")
    assert "httponly" in session_cookie.lower()


def test_plain_http_is_redirected_to_https_except_the_probes(
    production_stack: ProductionStack,
) -> None:
    plain = requests.get(f"{production_stack.url}/cart/", timeout=15, allow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")

    for probe in ("/healthz", "/readyz"):
        response = requests.get(f"{production_stack.url}{probe}", timeout=15)
        assert response.status_code == 200, (probe, response.text)


def test_the_sandbox_is_not_mounted(production_stack: ProductionStack) -> None:
    assert get(production_stack, "/sandbox/").status_code == 404
    assert get(production_stack, "/sandbox/pg/v1/oauth/token").status_code == 404


def test_logs_are_json_lines_with_the_callers_request_id(production_stack: ProductionStack) -> None:
    request_id = "lb-7f3c2a9e-4d1b-4c55-9a0e-2b8f6c1d0e93"

    response = get(production_stack, "/cart/", headers={"X-Request-ID": request_id})

    assert response.headers["X-Request-ID"] == request_id
    lines = wait_until(
        lambda: [
            json.loads(line)
            for line in production_stack.log.read_text().splitlines()
            if request_id in line
        ],
        timeout=10,
        what="the access log line",
    )
    assert lines[0]["logger"] == "ops.access"
    assert lines[0]["message"].startswith("GET /cart/ 200")
    assert lines[0]["request_id"] == request_id
    assert {"time", "level"} <= lines[0].keys()


def test_a_database_outage_is_a_friendly_503_and_readyz_says_why(
    production_stack: ProductionStack,
) -> None:
    assert get(production_stack, "/").status_code == 200  # a kept connection exists now

    production_stack.postgres.stop()
    try:
        page = get(production_stack, "/")
        ready = get(production_stack, "/readyz")
        alive = get(production_stack, "/healthz")
    finally:
        production_stack.postgres.start()

    # The shopper sees a page that says what to do, not a traceback
    assert page.status_code == 503
    assert "We're having a short problem on our side" in page.text
    assert "Traceback" not in page.text
    assert "OperationalError" not in page.text
    assert page.headers["Retry-After"] == "30"
    assert page.headers["X-Request-ID"]
    # The load balancer is told which dependency failed, and why
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["detail"]
    assert body["checks"]["broker"]["ok"] is True
    assert alive.status_code == 200  # the process itself is fine: no restart needed

    # ... and once PostgreSQL is back, so is the shop, without restarting anything
    wait_until(lambda: get(production_stack, "/").status_code == 200, timeout=20, what="recovery")
    assert get(production_stack, "/readyz").json()["status"] == "ok"


def test_a_broker_outage_makes_readyz_say_so(production_stack: ProductionStack) -> None:
    production_stack.redis.stop()
    try:
        ready = get(production_stack, "/readyz")
        page = get(production_stack, "/")
    finally:
        production_stack.redis.start()

    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["broker"]["ok"] is False
    assert checks["broker"]["detail"]
    assert page.status_code == 200  # browsing needs no broker
    wait_until(lambda: get(production_stack, "/readyz").status_code == 200, timeout=20, what="ok")


def test_gunicorn_runs_workers_with_threads(production_stack: ProductionStack) -> None:
    log = production_stack.log.read_text()
    assert "Using worker: gthread" in log
    assert log.count("Booting worker with pid") >= 2
