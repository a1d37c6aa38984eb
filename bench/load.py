"""The load generator: one asyncio process (aiohttp), loopback only, bounded in time.

    python -m bench.load SPEC.json OUT.json

SPEC names a scenario, the shop's address, a concurrency and a duration (plus scenario data);
OUT gets, per operation, throughput, latency percentiles, status counts, errors and the
server's own measurements (`X-Bench-Queries`, `X-Bench-Gateway-Ms`, see bench/metrics.py).
Closed loop: each virtual user sends its next request when the previous one has answered.
bench/run.py starts it; it can also be pointed by hand at any shop running with BENCH_BASELINE=1.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHECKOUT_TOKEN = re.compile(r'name="checkout_token" value="([^"]+)"')
DETAILS = {
    "payment_mode": "redirect",
    "full_name": "Asha Rao",
    "email": "asha@example.test",
    "phone": "98765 43210",
    "address_line1": "12 MG Road",
    "address_line2": "Near the metro",
    "city": "Bengaluru",
    "state": "Karnataka",
    "postal_code": "560001",
}
SOLD_OUT = "sold out"


def check_loopback(base_url: str) -> None:
    """Refuse any target but this machine: a benchmark never sends traffic elsewhere."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"bench.load: {base_url} is not a loopback address; refusing to send load.")


@dataclass
class Sample:
    op: str
    started: float
    latency_ms: float
    status: int
    queries: int | None = None
    gateway_ms: float | None = None
    error: str = ""


@dataclass
class Recorder:
    window_start: float
    window_end: float
    samples: list[Sample] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def in_window(self, sample: Sample) -> bool:
        return self.window_start <= sample.started and (
            sample.started + sample.latency_ms / 1000 <= self.window_end
        )


class ExpectationFailed(Exception):
    pass


async def request(
    rec: Recorder,
    http: aiohttp.ClientSession,
    op: str,
    method: str,
    url: str,
    *,
    expect: tuple[int, ...] = (200,),
    **kwargs: Any,
) -> tuple[int, str, dict[str, str]]:
    """Send one request, record it, return (status, body, headers). Raises on a surprise."""
    started = time.perf_counter()
    wall = time.monotonic()
    try:
        async with http.request(method, url, allow_redirects=False, **kwargs) as response:
            body = await response.text()
            status = response.status
            headers = {k: v for k, v in response.headers.items()}
    except (aiohttp.ClientError, TimeoutError) as exc:
        rec.samples.append(
            Sample(op, wall, (time.perf_counter() - started) * 1000, 0, error=type(exc).__name__)
        )
        raise ExpectationFailed(f"{op}: {exc!r}") from exc
    latency = (time.perf_counter() - started) * 1000
    queries = headers.get("X-Bench-Queries")
    gateway = headers.get("X-Bench-Gateway-Ms")
    sample = Sample(
        op,
        wall,
        latency,
        status,
        queries=int(queries) if queries is not None else None,
        gateway_ms=float(gateway) if gateway is not None else None,
    )
    if status not in expect:
        sample.error = f"HTTP {status}"
    rec.samples.append(sample)
    if sample.error:
        raise ExpectationFailed(f"{op}: {method} {url} -> {status}: {body[:200]!r}")
    return status, body, headers


def _find(pattern: re.Pattern[str], html: str, what: str) -> str:
    match = pattern.search(html)
    if not match:
        raise ExpectationFailed(f"no {what} on the page")
    return match.group(1)


# --- scenarios ------------------------------------------------------------------------------------


class Scenario:
    def __init__(self, spec: dict[str, Any], rec: Recorder, connector: aiohttp.TCPConnector):
        self.spec = spec
        self.base = spec["base_url"].rstrip("/")
        self.rec = rec
        self.connector = connector

    def session(self) -> aiohttp.ClientSession:
        # unsafe=True: keep cookies set by an IP-address host (127.0.0.1).
        return aiohttp.ClientSession(
            connector=self.connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=self.spec.get("request_timeout", 60)),
        )

    async def run_user(self, user: int, deadline: float) -> None:
        async with self.session() as http:
            while time.monotonic() < deadline:
                try:
                    await self.iteration(http, user)
                except ExpectationFailed as exc:
                    self.rec.notes.setdefault("first_errors", [])
                    if len(self.rec.notes["first_errors"]) < 5:
                        self.rec.notes["first_errors"].append(str(exc)[:300])

    async def iteration(self, http: aiohttp.ClientSession, user: int) -> None:
        raise NotImplementedError


class BaselineInsert(Scenario):
    async def iteration(self, http: aiohttp.ClientSession, user: int) -> None:
        await request(
            self.rec, http, "insert", "POST", f"{self.base}/bench/baseline/insert/", data=b"bench"
        )


class BaselineRender(Scenario):
    async def iteration(self, http: aiohttp.ClientSession, user: int) -> None:
        n = self.spec.get("products", 24)
        await request(self.rec, http, "render", "GET", f"{self.base}/bench/baseline/render/?n={n}")


class Browse(Scenario):
    """The product list and/or a product's page (spec "pages"), as a visitor without a cart."""

    async def iteration(self, http: aiohttp.ClientSession, user: int) -> None:
        pages = self.spec.get("pages", ["list", "detail"])
        if "list" in pages:
            await request(self.rec, http, "list", "GET", f"{self.base}/")
        if "detail" in pages:
            slug = random.choice(self.spec["slugs"])  # noqa: S311
            await request(self.rec, http, "detail", "GET", f"{self.base}/products/{slug}/")


class Checkout(Scenario):
    """One new shopper per iteration: product page, add to cart, checkout page, Pay."""

    async def iteration(self, http: aiohttp.ClientSession, user: int) -> None:
        product = random.choice(self.spec["products"])  # noqa: S311
        async with self.session() as shopper:
            form = await buy_until_pay(self, shopper, product)
            await submit(self, shopper, form, expect_gateway=True)


async def buy_until_pay(
    scn: Scenario, http: aiohttp.ClientSession, product: dict[str, Any]
) -> dict[str, str]:
    """Product page, add one to the cart, open the checkout page; returns its hidden fields."""
    _, html, _ = await request(
        scn.rec, http, "product", "GET", f"{scn.base}/products/{product['slug']}/"
    )
    csrf = _find(CSRF_FIELD, html, "CSRF token")
    _, _, headers = await request(
        scn.rec,
        http,
        "add",
        "POST",
        f"{scn.base}/cart/add/{product['id']}/",
        data={"csrfmiddlewaretoken": csrf, "quantity": "1"},
        expect=(302,),
    )
    if not headers.get("Location", "").endswith("/cart/"):
        raise ExpectationFailed(f"add to cart went to {headers.get('Location')}")
    _, html, _ = await request(scn.rec, http, "checkout_page", "GET", f"{scn.base}/checkout/")
    return {
        "csrfmiddlewaretoken": _find(CSRF_FIELD, html, "CSRF token"),
        "checkout_token": _find(CHECKOUT_TOKEN, html, "checkout token"),
    }


async def submit(
    scn: Scenario, http: aiohttp.ClientSession, form: dict[str, str], *, expect_gateway: bool
) -> str:
    """Press Pay: the shop places the order, calls the gateway and redirects. Returns Location."""
    _, _, headers = await request(
        scn.rec,
        http,
        "submit",
        "POST",
        f"{scn.base}/checkout/",
        data={**DETAILS, **form},
        expect=(302,),
    )
    location = headers.get("Location", "")
    if expect_gateway and "/sandbox/pay/" not in location:
        raise ExpectationFailed(f"Pay went to {location}, not to the gateway's page")
    return location


class Webhooks(Scenario):
    """Authenticated deliveries from a prepared list (distinct events plus repeats), each once."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        deliveries = json.loads(Path(self.spec["deliveries_file"]).read_text())
        self.queue: list[dict[str, Any]] = list(reversed(deliveries))
        self.answers: dict[str, int] = {}

    async def run_user(self, user: int, deadline: float) -> None:
        async with self.session() as http:
            while self.queue and time.monotonic() < deadline:
                delivery = self.queue.pop()
                try:
                    _, body, _ = await request(
                        self.rec,
                        http,
                        "webhook",
                        "POST",
                        f"{self.base}/payments/webhooks/phonepe/",
                        data=delivery["body"].encode(),
                        headers={
                            "Authorization": self.spec["authorization"],
                            "Content-Type": "application/json",
                        },
                    )
                    answer = json.loads(body).get("status", "?")
                except (ExpectationFailed, ValueError):
                    answer = "error"
                self.answers[answer] = self.answers.get(answer, 0) + 1
        self.rec.notes["answers"] = self.answers
        self.rec.notes["not_sent"] = len(self.queue)


class HotProduct(Scenario):
    """N buyers with the hot product in their cart press Pay at the same moment."""

    async def run(self) -> None:
        product = self.spec["product"]
        buyers = [self.session() for _ in range(self.spec["buyers"])]
        prepare = asyncio.Semaphore(self.spec.get("prepare_concurrency", 16))

        forms: dict[int, dict[str, str]] = {}

        async def ready(index: int, http: aiohttp.ClientSession) -> None:
            async with prepare:
                forms[index] = await buy_until_pay(self, http, product)

        await asyncio.gather(*(ready(i, b) for i, b in enumerate(buyers)))
        go = asyncio.Event()
        outcomes: dict[str, int] = {}

        async def press(index: int, http: aiohttp.ClientSession) -> None:
            await go.wait()
            try:
                location = await submit(self, http, forms[index], expect_gateway=False)
            except ExpectationFailed:
                outcomes["error"] = outcomes.get("error", 0) + 1
                return
            if "/sandbox/pay/" in location:
                outcomes["reserved"] = outcomes.get("reserved", 0) + 1
                return
            # Sent back to the cart: the page must say plainly that it sold out.
            _, html, _ = await request(self.rec, http, "cart_after", "GET", f"{self.base}/cart/")
            kind = "sold_out" if SOLD_OUT in html.lower() else "other"
            outcomes[kind] = outcomes.get(kind, 0) + 1

        tasks = [asyncio.create_task(press(i, b)) for i, b in enumerate(buyers)]
        self.rec.window_start = time.monotonic()
        go.set()
        await asyncio.gather(*tasks)
        self.rec.window_end = time.monotonic()
        for http in buyers:
            await http.close()
        self.rec.notes["outcomes"] = outcomes


SCENARIOS: dict[str, type[Scenario]] = {
    "baseline_insert": BaselineInsert,
    "baseline_render": BaselineRender,
    "browse": Browse,
    "checkout": Checkout,
    "webhooks": Webhooks,
    "hot_product": HotProduct,
}


# --- statistics -----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[rank], 2)


def summarize(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    return {
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": round(ordered[-1], 2) if ordered else None,
        "mean": round(sum(ordered) / len(ordered), 2) if ordered else None,
    }


def stats(rec: Recorder) -> dict[str, Any]:
    window = max(rec.window_end - rec.window_start, 1e-9)
    ops: dict[str, Any] = {}
    for op in sorted({s.op for s in rec.samples}):
        every = [s for s in rec.samples if s.op == op]
        measured = [s for s in every if rec.in_window(s)]
        ok = [s for s in measured if not s.error]
        statuses: dict[str, int] = {}
        for s in every:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        queries = [s.queries for s in ok if s.queries is not None]
        gateway = [s.gateway_ms for s in ok if s.gateway_ms is not None]
        entry: dict[str, Any] = {
            "count": len(measured),
            "ok": len(ok),
            "errors": sum(1 for s in every if s.error),
            "server_errors": sum(1 for s in every if s.status >= 500),
            "statuses": statuses,
            "throughput": round(len(ok) / window, 2),
            "latency_ms": summarize([s.latency_ms for s in ok]),
            "queries": {
                "mean": round(sum(queries) / len(queries), 2) if queries else None,
                "max": max(queries) if queries else None,
            },
        }
        if any(gateway):
            entry["gateway_ms"] = summarize(gateway)
            entry["latency_excl_gateway_ms"] = summarize(
                [s.latency_ms - (s.gateway_ms or 0) for s in ok]
            )
        ops[op] = entry
    return {"window_s": round(window, 3), "ops": ops}


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    check_loopback(spec["base_url"])
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    warmup = float(spec.get("warmup", 0))
    duration = float(spec.get("duration", 5))
    now = time.monotonic()
    rec = Recorder(window_start=now + warmup, window_end=now + warmup + duration)
    scenario = SCENARIOS[spec["scenario"]](spec, rec, connector)
    started = time.monotonic()
    if isinstance(scenario, HotProduct):
        await asyncio.wait_for(scenario.run(), timeout=spec.get("timeout", 120))
    else:
        deadline = rec.window_end
        users = [
            asyncio.create_task(scenario.run_user(i, deadline)) for i in range(spec["concurrency"])
        ]
        await asyncio.gather(*users)
        if isinstance(scenario, Webhooks):  # a fixed list: the window is the time it took
            rec.window_start, rec.window_end = started, time.monotonic()
    await connector.close()
    return {
        "scenario": spec["scenario"],
        "concurrency": spec.get("concurrency") or spec.get("buyers"),
        "elapsed_s": round(time.monotonic() - started, 3),
        **stats(rec),
        "notes": rec.notes,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.load SPEC.json OUT.json")
    result = asyncio.run(main(json.loads(Path(sys.argv[1]).read_text())))
    Path(sys.argv[2]).write_text(json.dumps(result, indent=2))
