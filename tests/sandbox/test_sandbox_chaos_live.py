"""Chaos over real HTTP: concurrent clients share one error countdown; slow answers time out.

These use the live server (real threads, real commits), so they run on a transactional
database; they create no payment that would queue a webhook.
"""

import threading

import pytest
import requests
from django.conf import settings

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

    def create_order(self, merchant_order_id: str) -> None:
        body = {
            "merchantOrderId": merchant_order_id,
            "amount": 10000,
            "paymentFlow": {
                "type": "PG_CHECKOUT",
                "merchantUrls": {"redirectUrl": "https://shop.example/return"},
            },
        }
        response = requests.post(
            f"{self.base}/checkout/v2/pay", json=body, headers=self.headers, timeout=5
        )
        assert response.status_code == 200, response.text

    def chaos(self, rule: dict) -> None:
        response = requests.post(f"{self.base}/_control/chaos", json=rule, timeout=5)
        assert response.status_code == 200, response.text

    def status(self, merchant_order_id: str, *, timeout: float = 5) -> int:
        url = f"{self.base}/checkout/v2/order/{merchant_order_id}/status"
        return requests.get(url, headers=self.headers, timeout=timeout).status_code


@pytest.fixture
def live_api(live_server) -> LiveApi:
    return LiveApi(live_server.url)


def test_two_racing_clients_get_exactly_n_errors_between_them(live_api):
    # given a countdown of 5 injected errors
    live_api.create_order("LIVE-1")
    live_api.chaos({"status": {"errorStatus": 500, "errorTimes": 5}})
    answers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def poll() -> None:
        start.wait()
        for _ in range(8):
            code = live_api.status("LIVE-1")
            with lock:
                answers.append(code)

    # when two clients poll at the same time
    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly 5 of the 16 answers were errors
    assert sorted(answers) == [200] * 11 + [500] * 5


def test_slow_answers_outlast_a_short_client_timeout(live_api):
    live_api.create_order("LIVE-2")
    live_api.chaos({"status": {"slowSeconds": 0.3}})

    with pytest.raises(requests.ReadTimeout):
        live_api.status("LIVE-2", timeout=0.1)

    live_api.chaos({})
    assert live_api.status("LIVE-2", timeout=2) == 200
