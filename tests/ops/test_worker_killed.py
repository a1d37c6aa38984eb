"""A worker killed (kill -9) in the middle of a task: with acks_late on Redis the message is not
acknowledged, so after the visibility timeout another worker runs the task again, and because
the task is idempotent the outcome is the same as one clean run: one transition, one email."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from config.celery import app
from payments import tasks
from payments.models import Order, Payment
from payments.state import OrderStatus, PaymentState
from tests.factories import PaymentFactory
from tests.ops.environments import development_env
from tests.ops.services import PrivateRedis, celery_worker, kill_hard, stop_process, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


class SlowThenFastGateway:
    """PhonePe's token and order-status API. The first status call hangs (the worker is killed
    during it); every later one answers COMPLETED for the full amount at once."""

    def __init__(self, amount_paise: int) -> None:
        self.amount_paise = amount_paise
        self.status_calls = 0
        self.first_call_started = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the OAuth token
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = int(time.time())
                self._json({"access_token": "t", "expires_at": now + 60, "token_type": "O-Bearer"})

            def do_GET(self) -> None:  # the order status
                gateway.status_calls += 1
                if gateway.status_calls == 1:
                    gateway.first_call_started.set()
                    time.sleep(20)  # far longer than the test waits before the kill
                merchant_order_id = self.path.split("/order/")[1].split("/")[0]
                self._json(gateway.completed(merchant_order_id))

            def _json(self, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the worker that asked was killed

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def completed(self, merchant_order_id: str) -> dict[str, object]:
        return {
            "merchantOrderId": merchant_order_id,
            "orderId": "OMO-KILLED-1",
            "state": "COMPLETED",
            "amount": self.amount_paise,
            "expireAt": int(time.time() * 1000) + 600_000,
            "paymentDetails": [
                {
                    "transactionId": "OM-KILLED-TXN",
                    "paymentMode": "UPI_COLLECT",
                    "timestamp": int(time.time() * 1000),
                    "amount": self.amount_paise,
                    "state": "COMPLETED",
                }
            ],
        }


@pytest.fixture
def gateway() -> Iterator[SlowThenFastGateway]:
    payment_amount = 99800  # OrderFactory's total
    fake = SlowThenFastGateway(payment_amount)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def publish(broker_url: str, payment_id: int, queue: str) -> None:
    """Queue reverify_payment on the private Redis (this process's own app points elsewhere)."""
    with app.connection_for_write(broker_url) as connection:
        tasks.reverify_payment.apply_async(
            args=(payment_id,), producer=connection.Producer(), queue=queue
        )


def receipts(mail_dir: Path) -> list[str]:
    """Subject lines of the receipts the workers sent (the file backend's folder)."""
    return [
        line
        for path in (mail_dir.glob("*.log") if mail_dir.exists() else [])
        for line in path.read_text().splitlines()
        if line.startswith("Subject:") and "receipt for order" in line
    ]


def test_a_task_whose_worker_was_killed_runs_again_with_the_same_outcome(
    private_redis: PrivateRedis, gateway: SlowThenFastGateway, tmp_path: Path
) -> None:
    payment = PaymentFactory.create()
    assert payment.amount_paise == gateway.amount_paise
    env = development_env(
        tmp_path,
        broker_url=private_redis.url,
        PHONEPE_BASE_URL=gateway.url,
        PHONEPE_AUTH_BASE_URL=gateway.url,
        PHONEPE_READ_TIMEOUT="60",
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        PAYMENTS_SWEEP_INTERVAL_SECONDS="3600",
    )
    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    publish(private_redis.url, payment.pk, queue)

    # Worker A takes the task and is killed while it waits for the gateway
    first = celery_worker(env, tmp_path / "worker-a.log", queue=queue)
    try:
        assert gateway.first_call_started.wait(timeout=60), "worker A never asked the gateway"
    finally:
        kill_hard(first)
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING

    # Worker B gets the unacknowledged message once its visibility timeout has passed
    second = celery_worker(env, tmp_path / "worker-b.log", queue=queue)
    try:
        wait_until(
            lambda: Payment.objects.get(pk=payment.pk).state == PaymentState.COMPLETED,
            timeout=60,
            what="the task to run again on worker B",
        )
        mail_dir = tmp_path / "mail"
        wait_until(lambda: receipts(mail_dir), timeout=30, what="the receipt email")

        # The same message delivered once more (a duplicate) changes nothing: the check sees a
        # settled payment and does not even ask the gateway again.
        calls = gateway.status_calls
        broker = redis.Redis.from_url(private_redis.url)
        publish(private_redis.url, payment.pk, queue)
        wait_until(
            # taken from the queue, run, and acknowledged
            lambda: not broker.llen(queue) and not broker.hlen("unacked"),
            timeout=30,
            what="the duplicate run",
        )
        time.sleep(1)  # let a (wrong) second receipt task run, if one were queued
        assert gateway.status_calls == calls
    finally:
        stop_process(second)

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.events.filter(to_state=PaymentState.COMPLETED).count() == 1
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID
    assert len(receipts(mail_dir)) == 1
