"""Fixtures for the sandbox gateway tests: a small PhonePe API client over Django's test Client,
and a webhook receiver with the Celery queue replaced by a list the test runs by hand.

The time-based tasks (advance_refund, expire_order, settle_payment) never reach the broker in
these tests: the autouse `timers` fixture records them instead, and a test runs them by hand."""

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sandbox import tasks
from sandbox.models import SandboxOrder, SandboxWebhook
from sandbox.tasks import deliver_webhook
from tests.sandbox.receiver import WebhookReceiver

API = "/sandbox/pg"
_order_numbers = itertools.count(1)


@dataclass
class Timer:
    task: str
    key: str
    countdown: float


TIMED_TASKS = ("advance_refund", "expire_order", "settle_payment")


class Timers:
    """The time-based tasks queued so far (in the order they were queued), and a runner."""

    def __init__(self) -> None:
        self.queued: list[Timer] = []

    def take(self) -> list[Timer]:
        taken, self.queued[:] = list(self.queued), []
        return taken

    def run(self) -> list[str]:
        """Run what is queued now, once each, soonest first; what they re-queue stays queued.

        The worker would wait for each countdown; a test moves the row's due time instead.
        """
        results = []
        for timer in sorted(self.take(), key=lambda item: item.countdown):
            results.append(getattr(tasks, timer.task).run(timer.key))
        return results


@pytest.fixture(autouse=True)
def timers(monkeypatch: pytest.MonkeyPatch) -> Timers:
    recorder = Timers()
    for name in TIMED_TASKS:

        def apply_async(
            args: Any = None,
            kwargs: Any = None,
            countdown: Any = None,
            *,
            _name: str = name,
            **_: Any,
        ) -> None:
            recorder.queued.append(Timer(_name, args[0], countdown))

        monkeypatch.setattr(getattr(tasks, name), "apply_async", apply_async)
    return recorder


@pytest.fixture(autouse=True)
def _sandbox_enabled(settings: Any) -> None:
    if not settings.SANDBOX_ENABLED:
        pytest.skip("the sandbox gateway is switched off in these settings")
    # The test settings switch webhooks off; these tests record deliveries to a shop that is
    # not there (tests that send them point this at a local receiver).
    settings.SANDBOX_WEBHOOK_URL = "http://127.0.0.1:9/payments/webhooks/phonepe/"


def pay_body(merchant_order_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid pay request as the official SDK sends it (explicit nulls for unset fields)."""
    body: dict[str, Any] = {
        "merchantOrderId": merchant_order_id,
        "amount": 149900,
        "metaInfo": {"udf1": "cart:42", "udf11": "user_7"},
        "paymentFlow": {
            "type": "PG_CHECKOUT",
            "message": None,
            "merchantUrls": {"redirectUrl": f"https://shop.example/return/{merchant_order_id}"},
            "paymentModeConfig": None,
        },
        "expireAfter": None,
        "disablePaymentRetry": None,
    }
    body.update(overrides)
    return body


class SandboxApi:
    """What a merchant's server does: fetch a token, then call the PG endpoints with it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._token: str | None = None

    def token_response(self, **form: str) -> Any:
        data = {
            "client_id": settings.SANDBOX_CLIENT_ID,
            "client_secret": settings.SANDBOX_CLIENT_SECRET,
            "client_version": settings.SANDBOX_CLIENT_VERSION,
            "grant_type": "client_credentials",
            **form,
        }
        return self.client.post(f"{API}/v1/oauth/token", data=data)

    @property
    def token(self) -> str:
        if self._token is None:
            response = self.token_response()
            assert response.status_code == 200, response.content
            self._token = response.json()["access_token"]
        return self._token

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"O-Bearer {token or self.token}"}

    body = staticmethod(pay_body)

    def new_order_id(self) -> str:
        return f"T-{next(_order_numbers)}"

    def pay(self, body: dict[str, Any], **extra: Any) -> Any:
        return self.post_json(f"{API}/checkout/v2/pay", body, **extra)

    def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(
            path,
            data=raw,
            content_type="application/json",
            headers=self.auth() if headers is None else headers,
        )

    def create_order(self, merchant_order_id: str | None = None, **overrides: Any) -> str:
        merchant_order_id = merchant_order_id or self.new_order_id()
        response = self.pay(pay_body(merchant_order_id, **overrides))
        assert response.status_code == 200, response.content
        return merchant_order_id

    def status(
        self,
        merchant_order_id: str,
        *,
        details: str | None = None,
        error_context: str | None = None,
    ) -> Any:
        query = {}
        if details is not None:
            query["details"] = details
        if error_context is not None:
            query["errorContext"] = error_context
        return self.client.get(
            f"{API}/checkout/v2/order/{merchant_order_id}/status", query, headers=self.auth()
        )

    def status_body(self, merchant_order_id: str, **flags: str) -> dict[str, Any]:
        response = self.status(merchant_order_id, **flags)
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def complete(self, merchant_order_id: str, **body: Any) -> Any:
        return self.post_json(f"{API}/_control/orders/{merchant_order_id}/complete", body, {})

    def paid_order(self, *, mode: str = "UPI_INTENT", amount: int = 149900) -> str:
        merchant_order_id = self.create_order(amount=amount)
        response = self.complete(merchant_order_id, outcome="SUCCESS", paymentMode=mode)
        assert response.status_code == 200, response.content
        return merchant_order_id

    def refund(self, body: dict[str, Any]) -> Any:
        return self.post_json(f"{API}/payments/v2/refund", body)

    def refund_status(self, merchant_refund_id: str) -> Any:
        return self.client.get(
            f"{API}/payments/v2/refund/{merchant_refund_id}/status", headers=self.auth()
        )

    def pay_page_url(self, merchant_order_id: str) -> str:
        order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)
        return f"/sandbox/pay/?token={order.pay_token}"


@pytest.fixture
def api(client: Client, db: None) -> SandboxApi:
    return SandboxApi(client)


@dataclass
class Queued:
    webhook_id: int
    countdown: float


class Hooks:
    """Webhook plumbing for one test: the receiver, the queued task calls, and a runner."""

    def __init__(self, receiver: WebhookReceiver, capture: Any) -> None:
        self.receiver = receiver
        self.queued: list[Queued] = []
        self._capture = capture

    def capture(self) -> Any:
        """Run on_commit callbacks (which queue deliveries) when the block ends."""
        return self._capture(execute=True)

    def take(self) -> list[Queued]:
        taken, self.queued[:] = list(self.queued), []
        return taken

    def run_queued(self) -> list[str]:
        """Run queued deliveries, soonest countdown first, as the worker would; retries too.

        Each run moves the delivery's due time to now first: the test does not wait out the
        countdown the worker would have waited.
        """
        states = []
        while self.queued:
            self.queued.sort(key=lambda item: item.countdown)
            item = self.queued.pop(0)
            SandboxWebhook.objects.filter(pk=item.webhook_id).update(deliver_after=timezone.now())
            states.append(deliver_webhook.run(item.webhook_id))
        return states


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[WebhookReceiver]:
    # One server for the session: starting and stopping one per test costs ~0.5 s each.
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def receiver(_receiver_server: WebhookReceiver, settings: Any) -> WebhookReceiver:
    _receiver_server.reset()
    settings.SANDBOX_WEBHOOK_URL = _receiver_server.url
    return _receiver_server


@pytest.fixture
def hooks(
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> Hooks:
    plumbing = Hooks(receiver, django_capture_on_commit_callbacks)

    def apply_async(args: Any = None, kwargs: Any = None, countdown: Any = None, **_: Any) -> None:
        plumbing.queued.append(Queued(args[0], countdown))

    monkeypatch.setattr(deliver_webhook, "apply_async", apply_async)
    return plumbing
