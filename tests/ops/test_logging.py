"""Every log line of a request has its request id and the order it is about; personal data and
secrets never reach the output. Lines are captured through a handler built exactly like the
settings' console handler (the same filters, the plain or the JSON formatter)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from ops import celery_context, logcontext
from ops.logs import JsonLogFormatter, RedactFilter, RequestContextFilter
from tests.factories import OrderFactory, PaymentFactory
from tests.ops.services import free_port
from tests.webhooks import order_webhook, webhook_auth

PLAIN = "%(levelname)s %(name)s [%(request_id)s %(order_number)s] %(message)s"
ORDER_NUMBER = "LL-261127-7KQ2M"


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


def _capture(formatter: logging.Formatter, level: int) -> Iterator[Captured]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactFilter())
    handler.setFormatter(formatter)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture
def logs() -> Iterator[Captured]:
    yield from _capture(logging.Formatter(PLAIN), logging.INFO)


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from _capture(JsonLogFormatter(), logging.DEBUG)


def test_a_request_gets_an_id_and_the_response_echoes_it(client: Client) -> None:
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("b7c1e4d2-9a7f-4f61-8c2e-5d9e3f1a0b6c", True),  # a UUID from the load balancer
        ("Root=1-67891233-abcdef012345678912345678", True),  # AWS ALB style
        ("short", False),
        ("has space in it", False),
        ("line\nbreak-injected-into-logs", False),
        ("x" * 200, False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_if_sane(
    client: Client, incoming: str, kept: bool
) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert (response["X-Request-ID"] == incoming) is kept
    assert "\n" not in response["X-Request-ID"]


@pytest.mark.django_db
def test_lines_about_an_order_carry_the_request_id_and_order_number(
    client: Client, settings: Any, logs: Captured
) -> None:
    settings.ACCESS_LOG = True
    settings.PHONEPE_BASE_URL = settings.PHONEPE_AUTH_BASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.PHONEPE_CONNECT_TIMEOUT = 0.5
    order = OrderFactory.create(number=ORDER_NUMBER)
    PaymentFactory.create(order=order, merchant_order_id=f"{ORDER_NUMBER}-P1-3FA0")

    # The order page asks the gateway, which is down: a warning is logged
    response = client.get(order.get_access_url(), headers={"X-Request-ID": "req-0123456789ab"})

    assert response.status_code == 200
    lines = [line for line in logs.text.splitlines() if line]
    assert any("status check for the order page failed" in line for line in lines), lines
    assert any(line.startswith("INFO ops.access") for line in lines), lines
    for line in lines:
        assert f"[req-0123456789ab {ORDER_NUMBER}]" in line, line
    # The signed link in the access line is a credential: masked
    assert order.access_token not in logs.text
    assert "/orders/[token]/" in logs.text


def test_a_line_outside_a_request_finds_the_order_in_its_message(logs: Captured) -> None:
    logging.getLogger("payments.test").warning("refund %s-P2-00AA-R1F failed", ORDER_NUMBER)

    assert f"[- {ORDER_NUMBER}] refund" in logs.text


def test_json_lines_have_the_fields_a_log_shipper_needs(json_logs: Captured) -> None:
    logcontext.reset(request_id="req-json-000001")
    try:
        logging.getLogger("payments.test").info(
            "paid %s", ORDER_NUMBER, extra={"amount_paise": 44900, "email": "asha@example.test"}
        )
    finally:
        logcontext.reset()

    (line,) = json_logs.json_lines()
    assert line["message"] == f"paid {ORDER_NUMBER}"
    assert line["level"] == "INFO"
    assert line["logger"] == "payments.test"
    assert line["request_id"] == "req-json-000001"
    assert line["order_number"] == ORDER_NUMBER
    assert line["amount_paise"] == 44900
    assert line["email"] == "[redacted]"
    assert "time" in line


@pytest.mark.django_db
def test_the_bound_orders_personal_data_is_masked(logs: Captured) -> None:
    order = OrderFactory.create(
        number=ORDER_NUMBER,
        full_name="Meenakshi Sundaram",
        address_line1="42 Lotus Lane, Adyar",
        email="meena@example.test",
        phone="9123456780",
    )
    logcontext.bind_order(order)
    try:
        logging.getLogger("payments.test").error(
            "courier rejected: Meenakshi Sundaram, 42 lotus lane, adyar; call 91234 56780 "
            "or write to meena@example.test"
        )
    finally:
        logcontext.reset()

    for personal in ("Meenakshi", "Lotus", "lotus", "56780", "meena@"):
        assert personal not in logs.text
    assert ORDER_NUMBER in logs.text


def test_tracebacks_are_masked_too(logs: Captured) -> None:
    try:
        raise ValueError("could not mail asha@example.test at +91 98765 43210")
    except ValueError:
        logging.getLogger("payments.test").exception("receipt failed")

    assert "Traceback" in logs.text
    assert "asha@example.test" not in logs.text
    assert "43210" not in logs.text
    assert "[email]" in logs.text


def test_json_tracebacks_are_masked_too(json_logs: Captured, settings: Any) -> None:
    try:
        raise RuntimeError(f"token endpoint said no to {settings.PHONEPE_CLIENT_SECRET}")
    except RuntimeError:
        logging.getLogger("payments.test").exception("token refused")

    (line,) = json_logs.json_lines()
    assert "RuntimeError" in line["exc_info"]
    assert settings.PHONEPE_CLIENT_SECRET not in json_logs.text


@pytest.mark.django_db
def test_the_webhook_authorization_header_is_never_logged(
    client: Client, json_logs: Captured, settings: Any
) -> None:
    payment = PaymentFactory.create()
    genuine = webhook_auth()

    client.post(
        "/payments/webhooks/phonepe/",
        data=order_webhook(payment.merchant_order_id),
        content_type="application/json",
        headers={"Authorization": genuine},
    )
    forged = webhook_auth(password="guessed-password")
    client.post(
        "/payments/webhooks/phonepe/",
        data=order_webhook(payment.merchant_order_id),
        content_type="application/json",
        headers={"Authorization": forged},
    )

    assert "webhook refused" in json_logs.text
    assert genuine not in json_logs.text
    assert forged not in json_logs.text
    assert settings.PHONEPE_WEBHOOK_PASSWORD not in json_logs.text


@pytest.mark.django_db
def test_passwords_typed_at_sign_in_are_never_logged(client: Client, json_logs: Captured) -> None:
    client.post("/admin/login/", {"username": "ops", "password": "Sup3r-Secret-Typed-1"})

    assert "Sup3r-Secret-Typed-1" not in json_logs.text


def test_a_task_queued_during_a_request_logs_with_that_request_id() -> None:
    headers: dict[str, Any] = {}
    logcontext.reset(request_id="req-abcdef123456")
    try:
        celery_context._add_request_id(headers=headers)
    finally:
        logcontext.reset()
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, **headers))

    celery_context._start_task_context(task_id="task-1", task=task)
    try:
        assert logcontext.request_id_var.get() == "req-abcdef123456"
    finally:
        celery_context._end_task_context(task=task)
    assert logcontext.request_id_var.get() is None

    beat_task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    celery_context._start_task_context(task_id="0f5c6a1e-task-id", task=beat_task)
    try:
        assert logcontext.request_id_var.get() == "0f5c6a1e-task-id"
    finally:
        celery_context._end_task_context(task=beat_task)
