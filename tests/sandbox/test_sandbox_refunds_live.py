"""Refunds over real HTTP from two threads at once: the refundable amount is checked under a
lock, so two refunds for the last rupee cannot both be accepted.

The live server runs real transactions (so on-commit tasks are queued: the autouse `timers`
fixture records them instead of reaching the broker).
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.conf import settings

from sandbox.models import SandboxRefund

pytestmark = pytest.mark.django_db(transaction=True)


class LiveApi:
    def __init__(self, base: str) -> None:
        self.base = f"{base}/sandbox/pg"
        form = {
            "client_id": settings.SANDBOX_CLIENT_ID,
            "client_secret": settings.SANDBOX_CLIENT_SECRET,
            "client_version": settings.SANDBOX_CLIENT_VERSION,
            "grant_type": "client_credentials",
        }
        token = requests.post(f"{self.base}/v1/oauth/token", data=form, timeout=5).json()
        self.headers = {"Authorization": f"O-Bearer {token['access_token']}"}

    def paid_order(self, merchant_order_id: str, amount: int) -> None:
        body = {
            "merchantOrderId": merchant_order_id,
            "amount": amount,
            "paymentFlow": {
                "type": "PG_CHECKOUT",
                "merchantUrls": {"redirectUrl": "https://shop.example/return"},
            },
        }
        pay = requests.post(
            f"{self.base}/checkout/v2/pay", json=body, headers=self.headers, timeout=5
        )
        assert pay.status_code == 200, pay.text
        complete = requests.post(
            f"{self.base}/_control/orders/{merchant_order_id}/complete",
            json={"outcome": "SUCCESS"},
            timeout=5,
        )
        assert complete.status_code == 200, complete.text

    def refund(self, merchant_order_id: str, merchant_refund_id: str, amount: int) -> Any:
        body = {
            "merchantRefundId": merchant_refund_id,
            "originalMerchantOrderId": merchant_order_id,
            "amount": amount,
        }
        return requests.post(
            f"{self.base}/payments/v2/refund", json=body, headers=self.headers, timeout=10
        )


@pytest.fixture
def live_api(live_server: Any) -> LiveApi:
    return LiveApi(live_server.url)


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; their results in call order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int, call: Callable[[], Any]) -> None:
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_refunds_for_the_last_rupee_one_wins(live_api, round_):
    # given a paid order with 100.00 left to refund
    merchant_order_id = f"LIVE-RF-{round_}"
    live_api.paid_order(merchant_order_id, amount=20000)
    assert live_api.refund(merchant_order_id, f"{merchant_order_id}-0", 10000).status_code == 200

    # when two refunds of the remaining 100.00 arrive at the same time
    answers = _together(
        lambda: live_api.refund(merchant_order_id, f"{merchant_order_id}-A", 10000),
        lambda: live_api.refund(merchant_order_id, f"{merchant_order_id}-B", 10000),
    )

    # then exactly one is accepted and the other is refused as over-refunding
    assert sorted(answer.status_code for answer in answers) == [200, 400]
    [refused] = [answer.json() for answer in answers if answer.status_code == 400]
    assert refused["code"] == "BAD_REQUEST"
    assert "exceeds the refundable amount 0" in refused["message"]
    refunded = SandboxRefund.objects.filter(order__merchant_order_id=merchant_order_id)
    assert sum(refunded.values_list("amount_paise", flat=True)) == 20000


def test_the_same_refund_sent_twice_at_once_is_one_refund(live_api):
    live_api.paid_order("LIVE-RF-SAME", amount=20000)

    answers = _together(
        lambda: live_api.refund("LIVE-RF-SAME", "LIVE-RF-SAME-1", 15000),
        lambda: live_api.refund("LIVE-RF-SAME", "LIVE-RF-SAME-1", 15000),
    )

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json()["refundId"] == answers[1].json()["refundId"]
    assert SandboxRefund.objects.filter(merchant_refund_id="LIVE-RF-SAME-1").count() == 1


def test_accepted_refunds_queue_their_task_after_commit(live_api, timers):
    live_api.paid_order("LIVE-RF-TASK", amount=20000)
    timers.take()

    response = live_api.refund("LIVE-RF-TASK", "LIVE-RF-TASK-1", 10000)

    [timer] = timers.queued
    assert (timer.task, timer.key) == ("advance_refund", response.json()["refundId"])
