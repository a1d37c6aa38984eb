"""The sandbox's test-control API, as tests use it (plain HTTP, like any client would)."""

from __future__ import annotations

from typing import Any

import requests


class SandboxControl:
    def __init__(self, shop_url: str) -> None:
        self.base = f"{shop_url}/sandbox/pg/_control"

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(f"{self.base}/{path}", json=body or {}, timeout=10)
        assert response.status_code in (200, 202), f"{path}: {response.status_code} {response.text}"
        return dict(response.json())

    def order_chaos(self, merchant_order_id: str, rule: dict[str, Any]) -> None:
        self._post(f"orders/{merchant_order_id}/chaos", rule)

    def global_chaos(self, rule: dict[str, Any]) -> None:
        self._post("chaos", rule)

    def clear_global_chaos(self) -> None:
        requests.delete(f"{self.base}/chaos", timeout=10).raise_for_status()

    def complete(self, merchant_order_id: str, outcome: str = "SUCCESS", **extra: Any) -> None:
        self._post(f"orders/{merchant_order_id}/complete", {"outcome": outcome, **extra})

    def expire(self, merchant_order_id: str) -> None:
        self._post(f"orders/{merchant_order_id}/expire")

    def webhooks(self, merchant_order_id: str) -> list[dict[str, Any]]:
        response = requests.get(f"{self.base}/orders/{merchant_order_id}/webhooks", timeout=10)
        response.raise_for_status()
        return list(response.json()["webhooks"])
