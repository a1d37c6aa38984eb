"""`make bench` / `make bench-smoke`: start the production shape, run every scenario, report.

    python -m bench.run            # the full run (about 10 minutes), results in bench/results/
    python -m bench.run --smoke    # a few seconds per scenario, results in var/bench/ (CI)

Exit status: 0 when nothing was broken; 1 when a scenario saw a 5xx, an error other than the
expected "sold out", an oversell, a lost or double-processed webhook, or a drain that did not
finish. Absolute times never fail a run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.stack import (
    BASE_DIR,
    VAR,
    WEBHOOK_PASSWORD,
    WEBHOOK_USERNAME,
    Stack,
    StackConfig,
    cpu_seconds,
)

RESULTS = BASE_DIR / "bench" / "results"
# The shop worker's queues (config/settings.py: CELERY_TASK_DEFAULT_QUEUE, CELERY_EMAIL_QUEUE).
QUEUES = ("celery", "email")


@dataclass
class Plan:
    smoke: bool = False
    warmup: float = 3.0
    duration: float = 20.0
    concurrency: int = 32
    checkout_levels: list[int] = field(default_factory=lambda: [1, 8, 32, 64])
    products: int = 24
    extra_products: int = 500
    webhooks: int = 3000
    duplicate_share: float = 0.2
    drain: int = 10_000
    drain_timeout: float = 900.0
    hot_buyers: int = 200
    hot_stock: int = 10
    profile: bool = False

    @classmethod
    def smoke_plan(cls) -> Plan:
        return cls(
            smoke=True,
            warmup=0.5,
            duration=2.0,
            concurrency=4,
            checkout_levels=[4],
            extra_products=50,
            webhooks=100,
            drain=200,
            drain_timeout=120.0,
            hot_buyers=20,
            hot_stock=3,
        )


class Bench:
    def __init__(self, plan: Plan, stack: Stack) -> None:
        self.plan = plan
        self.stack = stack
        self.results: dict[str, Any] = {"scenarios": {}, "problems": []}
        self.runs = VAR / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)

    def problem(self, text: str) -> None:
        print(f"  PROBLEM: {text}", flush=True)
        self.results["problems"].append(text)

    # --- helpers --------------------------------------------------------------------------------

    def load(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Run the load generator in its own process and return what it measured."""
        spec = {"base_url": self.stack.shop_url, "warmup": self.plan.warmup, **spec}
        spec.setdefault("duration", self.plan.duration)
        spec_file, out_file = self.runs / f"{name}.spec.json", self.runs / f"{name}.json"
        spec_file.write_text(json.dumps(spec))
        roots = {name: [p.pid] for name, p in self.stack.processes.items()}
        cpu_before = cpu_seconds(roots)
        load = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.load", str(spec_file), str(out_file)], cwd=BASE_DIR
        )
        _, status, usage = os.wait4(load.pid, 0)
        load.returncode = os.waitstatus_to_exitcode(status)
        if load.returncode:
            raise RuntimeError(f"the load generator failed ({load.returncode}) in {name}")
        cpu_after = cpu_seconds(roots)
        result: dict[str, Any] = json.loads(out_file.read_text())
        # Where the machine's CPU went while this scenario ran (all of it, warm-up included).
        result["cpu_s"] = cpu_spent(cpu_before, cpu_after)
        result["cpu_s"]["load generator"] = round(usage.ru_utime + usage.ru_stime, 2)
        result["wall_s"] = result["elapsed_s"]
        for op, entry in result["ops"].items():
            if entry["server_errors"]:
                self.problem(f"{name}: {entry['server_errors']} server errors (5xx) on {op}")
            elif entry["errors"]:
                self.problem(f"{name}: {entry['errors']} failed requests on {op}")
        if result["notes"].get("first_errors"):
            print(f"  first errors: {result['notes']['first_errors']}", flush=True)
        return result

    def seed(self, env: dict[str, str], *args: str) -> None:
        self.stack.python(env, "-m", "bench.seed", *args)

    def seed_completed_payments(self, prefix: str, count: int) -> None:
        """`count` payments pending in the shop whose orders the gateway has completed."""
        self.seed(self.stack.shop_env(), "shop-payments", "--prefix", prefix, "--count", str(count))
        self.seed(
            self.stack.gateway_env(),
            "gateway-orders",
            "--prefix",
            prefix,
            "--count",
            str(count),
            "--template",
            self.template_order(),
        )

    def task_counters(self) -> dict[str, int]:
        raw: dict[bytes, bytes] = self.stack.redis().hgetall("bench:tasks")  # type: ignore[assignment]
        return {key.decode(): int(value) for key, value in raw.items()}

    def profile(self, name: str, pids: list[int], seconds: float) -> subprocess.Popen[bytes] | None:
        """py-spy on the given processes and their children while a scenario runs (--profile)."""
        if not self.plan.profile or not pids:
            return None
        out = VAR / "profiles"
        out.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--subprocesses",
                "--nonblocking",
                "--format",
                "speedscope",
                "-d",
                str(int(seconds)),
                "-p",
                str(pids[0]),
                "-o",
                str(out / f"{name}.speedscope.json"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    # --- scenarios ------------------------------------------------------------------------------

    def baselines(self) -> None:
        print("== baseline: one INSERT in one transaction", flush=True)
        self.results["scenarios"]["baseline_insert"] = self.load(
            "baseline_insert",
            {"scenario": "baseline_insert", "concurrency": self.plan.concurrency},
        )
        print("== baseline: the product list's template, no database", flush=True)
        self.results["scenarios"]["baseline_render"] = self.load(
            "baseline_render",
            {
                "scenario": "baseline_render",
                "concurrency": self.plan.concurrency,
                "products": self.plan.products,
            },
        )

    def baseline_again(self) -> None:
        """The INSERT baseline once more at the end: how much the machine's own speed moved
        during the run (a virtual machine's can, by a factor), which bounds how far the ratios
        can be trusted."""
        print("== baseline again: one INSERT in one transaction", flush=True)
        self.wait_for_worker()
        self.results["scenarios"]["baseline_insert_end"] = self.load(
            "baseline_insert_end",
            {"scenario": "baseline_insert", "concurrency": self.plan.concurrency},
        )

    def browse(self) -> None:
        print("== browse: product list and product detail", flush=True)
        slugs = [f"bench-{i:04d}" for i in range(self.plan.products)]
        result: dict[str, Any] = {"concurrency": self.plan.concurrency, "ops": {}}
        for page in ("list", "detail"):  # one at a time, each against the same baselines
            measured = self.load(
                f"browse_{page}",
                {
                    "scenario": "browse",
                    "pages": [page],
                    "concurrency": self.plan.concurrency,
                    "slugs": slugs,
                },
            )
            result["ops"][page] = measured["ops"][page]
        # The same pages with a catalogue bigger by extra_products: do the queries grow?
        env = self.stack.shop_env()
        self.seed(env, "more-products", "--count", str(self.plan.extra_products))
        bigger = self.load(
            "browse_big",
            {"scenario": "browse", "concurrency": 2, "slugs": slugs, "duration": 2, "warmup": 0},
        )
        self.seed(env, "more-products", "--deactivate")
        result["queries_at_size"] = {
            str(self.plan.products): {op: e["queries"]["max"] for op, e in result["ops"].items()},
            str(self.plan.products + self.plan.extra_products): {
                op: e["queries"]["max"] for op, e in bigger["ops"].items()
            },
        }
        self.results["scenarios"]["browse"] = result

    def checkout(self) -> None:
        products = [
            {"id": pk, "slug": slug}
            for pk, slug in self.stack.shop_sql(
                "SELECT id, slug FROM shop_product WHERE sku LIKE 'BENCH-0%%' ORDER BY id"
            )
        ]
        levels: dict[str, Any] = {}
        for level in self.plan.checkout_levels:
            print(f"== checkout submit: {level} concurrent shoppers", flush=True)
            profiler = None
            if level == self.plan.concurrency:
                pids = self.stack.server_pids("shop")
                profiler = self.profile("checkout", pids, self.plan.warmup + self.plan.duration)
            levels[str(level)] = self.load(
                f"checkout_{level}",
                {"scenario": "checkout", "concurrency": level, "products": products},
            )
            if profiler is not None:
                profiler.wait()
        self.results["scenarios"]["checkout"] = {"levels": levels}

    def webhooks(self, *, worker_running: bool = True) -> None:
        """Callbacks for distinct payments plus repeats; then check the ledger and the payments.

        With the worker running, it processes each delivery as it is stored, on the same cores as
        the shop (this machine's one-box shape). Without, the shop only authenticates, stores and
        acknowledges (what the gateway waits for; in a deployment the workers have machines of
        their own), and the worker, started afterwards, processes the backlog.
        """
        count = self.plan.webhooks
        key, prefix = ("webhooks", "W") if worker_running else ("webhooks_alone", "V")
        shape = "worker processing alongside" if worker_running else "worker stopped"
        print(f"== webhook ingest, {shape}: {count} distinct events + duplicates", flush=True)
        self.wait_for_worker()  # receipts of an earlier scenario would take the cores
        if not worker_running:
            self.stack.stop("worker")
        self.seed_completed_payments(prefix, count)
        bodies = [webhook_body(prefix, n) for n in range(count)]
        rng = random.Random(8)  # noqa: S311 (a repeatable shuffle, not a secret)
        repeats = rng.sample(range(count), round(count * self.plan.duplicate_share))
        deliveries = [{"body": b, "n": n} for n, b in enumerate(bodies)]
        deliveries += [{"body": bodies[n], "n": n, "repeat": True} for n in repeats]
        rng.shuffle(deliveries)
        deliveries_file = self.runs / f"{key}-deliveries.json"
        deliveries_file.write_text(json.dumps(deliveries))
        self.stack.redis().delete("bench:tasks")
        authorization = hashlib.sha256(
            f"{WEBHOOK_USERNAME}:{WEBHOOK_PASSWORD}".encode()
        ).hexdigest()
        result = self.load(
            key,
            {
                "scenario": "webhooks",
                "concurrency": self.plan.concurrency,
                "deliveries_file": str(deliveries_file),
                "authorization": authorization,
                "warmup": 0,
                "duration": 600,
            },
        )
        # Every distinct event must be stored once and processed once, by the worker.
        like = f"BENCH-{prefix}-%"
        if not worker_running:
            self.stack.start_worker()
        deadline = time.monotonic() + (60 if self.plan.smoke else 300)
        started = time.monotonic()
        while True:
            processed = self.stack.shop_sql(
                "SELECT count(*) FROM payments_webhookevent WHERE merchant_order_id LIKE %s "
                "AND status <> 'RECEIVED'",
                (like,),
            )[0][0]
            if processed >= count or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        result["processing_done_after_s"] = round(time.monotonic() - started, 1)
        result["worker_running"] = worker_running
        ledger = self.stack.shop_sql(
            "SELECT count(*), count(DISTINCT dedupe_key), coalesce(sum(duplicate_count), 0), "
            "count(*) FILTER (WHERE status = 'PROCESSED'), "
            "count(*) FILTER (WHERE attempts > 1), "
            "count(*) FILTER (WHERE status NOT IN ('PROCESSED', 'RECEIVED')) "
            "FROM payments_webhookevent WHERE merchant_order_id LIKE %s",
            (like,),
        )[0]
        completions = self.stack.shop_sql(
            "SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1) FROM ("
            " SELECT p.id, count(e.id) AS n FROM payments_payment p"
            " LEFT JOIN payments_paymentevent e ON e.payment_id = p.id AND e.to_state = 'COMPLETED'"
            " WHERE p.merchant_order_id LIKE %s GROUP BY p.id) AS t",
            (like,),
        )[0]
        sent = len(deliveries) - result["notes"].get("not_sent", 0)
        verdict = {
            "distinct_sent": count,
            "deliveries_sent": sent,
            "rows": ledger[0],
            "distinct_rows": ledger[1],
            "duplicates_counted": int(ledger[2]),
            "processed": ledger[3],
            "processed_more_than_once": ledger[4],
            "not_processed_ok": ledger[5],
            "payments_completed_once": completions[0],
            "payments_completed_twice": completions[1],
            "lost": count - ledger[3],
        }
        verdict["duplicates_expected"] = sent - count
        result["verdict"] = verdict
        result["tasks"] = self.task_counters()
        if verdict["lost"] or verdict["rows"] != count:
            self.problem(f"webhooks: lost or extra events: {verdict}")
        if verdict["processed_more_than_once"] or verdict["payments_completed_twice"]:
            self.problem(f"webhooks: events processed twice: {verdict}")
        if verdict["duplicates_counted"] != verdict["duplicates_expected"]:
            self.problem(f"webhooks: duplicates miscounted: {verdict}")
        self.results["scenarios"][key] = result

    def wait_for_worker(self, timeout: float = 600) -> float:
        """Let the next scenario start on a quiet machine: drop the receipts earlier scenarios
        left in the email queue (the bench's orders need no email), and wait until the worker
        has finished the checks and webhook processing still queued."""
        client, started = self.stack.redis(), time.monotonic()
        self.results.setdefault("receipts_dropped", 0)
        self.results["receipts_dropped"] += client.llen("email")
        client.delete("email")
        while time.monotonic() - started < timeout:
            queued = sum(client.llen(queue) for queue in QUEUES)
            if not queued and not client.hlen("unacked"):
                break
            time.sleep(0.5)
        return round(time.monotonic() - started, 1)

    def drain(self) -> None:
        count = self.plan.drain
        print(f"== re-verification drain: {count} pending payments completed at the gateway")
        prefix = "D"
        self.seed(self.stack.shop_env(), "park")
        self.seed_completed_payments(prefix, count)
        # Receipts still queued from the webhook scenario would hold the drain back.
        waited = self.wait_for_worker()
        self.stack.redis().delete("bench:tasks")
        like = f"BENCH-{prefix}-%"
        rss: list[tuple[float, int, float]] = []
        progress: list[tuple[float, int]] = []
        self.stack.start_beat()
        profiler = self.profile("drain", self.stack.worker_pids()[:1], 20)
        roots = {name: [p.pid] for name, p in self.stack.processes.items()}
        cpu_before = cpu_seconds(roots)
        started = time.monotonic()
        # Every payment falls due at once, as after an outage of the webhooks.
        self.stack.shop_sql(
            "UPDATE payments_payment SET next_check_at = now() WHERE merchant_order_id LIKE %s",
            (like,),
        )
        deadline = started + self.plan.drain_timeout
        done = 0
        while time.monotonic() < deadline:
            done = self.stack.shop_sql(
                "SELECT count(*) FROM payments_payment WHERE merchant_order_id LIKE %s "
                "AND state = 'COMPLETED'",
                (like,),
            )[0][0]
            now = time.monotonic() - started
            progress.append((round(now, 2), done))
            rss.append((round(now, 2), done, self.stack.worker_rss_mib()))
            if done >= count:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(roots)
        self.stack.stop("beat")
        # The receipts of 10,000 paid orders are still queued: not part of any scenario, and they
        # would take the CPU from the next one. Dropped (the bench's orders need no email).
        receipts_left = self.stack.redis().llen("email")
        self.stack.redis().delete(*QUEUES)
        if profiler is not None:
            profiler.wait()
        twice = self.stack.shop_sql(
            "SELECT count(*) FROM (SELECT e.payment_id FROM payments_paymentevent e"
            " JOIN payments_payment p ON p.id = e.payment_id WHERE p.merchant_order_id LIKE %s"
            " AND e.to_state = 'COMPLETED' GROUP BY e.payment_id HAVING count(*) > 1) AS t",
            (like,),
        )[0][0]
        paid = self.stack.shop_sql(
            "SELECT count(*) FROM payments_order o JOIN payments_payment p ON p.order_id = o.id"
            " WHERE p.merchant_order_id LIKE %s AND o.status = 'PAID'",
            (like,),
        )[0][0]
        result = drain_stats(progress, rss, count, elapsed)
        result.update(
            cpu_s=cpu_spent(cpu_before, cpu_after),
            waited_for_queue_s=waited,
            receipts_still_queued=receipts_left,
            settled=done,
            orders_paid=paid,
            completed_twice=twice,
            tasks=self.task_counters(),
            sweep={
                "batch": self.stack.config.sweep_batch,
                "interval_s": self.stack.config.sweep_interval,
            },
        )
        if done < count:
            self.problem(
                f"drain: {count - done} of {count} payments unsettled after {elapsed:.0f}s"
            )
        if twice:
            self.problem(f"drain: {twice} payments completed twice")
        self.results["scenarios"]["drain"] = result

    def hot_product(self) -> None:
        buyers, stock = self.plan.hot_buyers, self.plan.hot_stock
        print(f"== hot product: {buyers} concurrent buyers for the last {stock} units", flush=True)
        self.seed(self.stack.shop_env(), "hot", "--stock", str(stock))
        (pk,) = self.stack.shop_sql("SELECT id FROM shop_product WHERE sku = 'BENCH-HOT'")[0]
        result = self.load(
            "hot_product",
            {
                "scenario": "hot_product",
                "buyers": buyers,
                "product": {"id": pk, "slug": "bench-hot"},
                "warmup": 0,
            },
        )
        left, reservations, units, orders = self.stack.shop_sql(
            "SELECT p.stock, count(r.id), coalesce(sum(r.quantity), 0),"
            " count(DISTINCT r.order_id) FROM shop_product p"
            " LEFT JOIN shop_stockreservation r ON r.product_id = p.id WHERE p.id = %s"
            " GROUP BY p.stock",
            (pk,),
        )[0]
        outcomes = result["notes"].get("outcomes", {})
        verdict = {
            "stock_left": left,
            "reservations": reservations,
            "units_reserved": int(units),
            "orders": orders,
            "oversold": max(0, int(units) - stock),
            **{f"answers_{k}": v for k, v in outcomes.items()},
        }
        result["verdict"] = verdict
        if int(units) != stock or left != 0 or outcomes.get("reserved", 0) != stock:
            self.problem(f"hot product: expected exactly {stock} reserved: {verdict}")
        if (
            outcomes.get("sold_out", 0) != buyers - stock
            or outcomes.get("error")
            or outcomes.get("other")
        ):
            self.problem(f"hot product: every other buyer must be told it sold out: {verdict}")
        self.results["scenarios"]["hot_product"] = result

    # --- the template order at the gateway ------------------------------------------------------

    _template: str | None = None

    def template_order(self) -> str:
        """One order paid through the sandbox's own APIs, that the seeded ones copy."""
        if self._template:
            return self._template
        api = f"{self.stack.gateway_url}/sandbox/pg"
        form = (
            "client_id=sandbox-client&client_version=1&client_secret=sandbox-secret"
            "&grant_type=client_credentials"
        )
        token = call("POST", f"{api}/v1/oauth/token", form.encode(), form=True)["access_token"]
        merchant_order_id = f"BENCH-TEMPLATE-{int(time.time())}"
        call(
            "POST",
            f"{api}/checkout/v2/pay",
            json.dumps(
                {
                    "merchantOrderId": merchant_order_id,
                    "amount": 104900,
                    "expireAfter": 900,
                    "paymentFlow": {
                        "type": "PG_CHECKOUT",
                        "merchantUrls": {"redirectUrl": f"{self.stack.shop_url}/"},
                    },
                }
            ).encode(),
            token=token,
        )
        call(
            "POST",
            f"{api}/_control/orders/{merchant_order_id}/complete",
            json.dumps({"outcome": "SUCCESS", "paymentMode": "UPI_COLLECT"}).encode(),
        )
        self._template = merchant_order_id
        return merchant_order_id


def call(
    method: str, url: str, body: bytes, *, token: str = "", form: bool = False
) -> dict[str, Any]:
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
    if token:
        headers["Authorization"] = f"O-Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process tree used between two `cpu_seconds` readings."""
    return {k: round(after[k] - before.get(k, 0), 2) for k in after}


def webhook_body(prefix: str, n: int) -> str:
    """A PhonePe checkout.order.completed callback for seeded payment n (tests/webhooks.py)."""
    return json.dumps(
        {
            "event": "checkout.order.completed",
            "type": "CHECKOUT_ORDER_COMPLETED",
            "payload": {
                "merchantId": "LOOMLEAFUAT",
                "merchantOrderId": f"BENCH-{prefix}-{n:06d}",
                "orderId": f"OMO-BENCH-{prefix}-{n:06d}",
                "state": "COMPLETED",
                "amount": 104900,
                "expireAt": 1742457386759,
                "paymentDetails": [
                    {
                        "transactionId": f"OM-BENCH-{prefix}-{n:06d}",
                        "paymentMode": "UPI_COLLECT",
                        "timestamp": 1742284621555,
                        "amount": 104900,
                        "state": "COMPLETED",
                    }
                ],
            },
        }
    )


def drain_stats(
    progress: list[tuple[float, int]],
    rss: list[tuple[float, int, float]],
    count: int,
    elapsed: float,
) -> dict[str, Any]:
    """Overall and steady (10%..90%) rates, and the worker's memory across the drain."""

    def first_time(fraction: float) -> float | None:
        return next((t for t, done in progress if done >= fraction * count), None)

    done = progress[-1][1] if progress else 0
    t10, t90 = first_time(0.1), first_time(0.9)
    steady = round(0.8 * count / (t90 - t10), 1) if t10 is not None and t90 and t90 > t10 else None
    settled_at = first_time(1.0)
    # Memory: once the pool is warm (10% done) against the end.
    warm = [m for _, d, m in rss if d >= 0.1 * count] or [m for _, _, m in rss]
    return {
        "payments": count,
        "elapsed_s": round(elapsed, 2),
        "rate_per_s": round(done / settled_at, 1) if settled_at else round(done / elapsed, 1),
        "steady_rate_per_s": steady,
        "first_settled_s": next((t for t, d in progress if d > 0), None),
        "worker_rss_mib": {
            "start": warm[0] if warm else None,
            "end": warm[-1] if warm else None,
            "max": max(warm) if warm else None,
            "min": min(warm) if warm else None,
            "samples": rss[:: max(1, len(rss) // 60)],
        },
    }


def machine_name() -> str:
    return socket.gethostname().split(".")[0] or "machine"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--smoke", action="store_true", help="tiny numbers, for CI")
    parser.add_argument("--duration", type=float, help="seconds measured per load scenario")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (shop)")
    parser.add_argument("--web-threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--worker-concurrency", type=int, default=4, help="Celery pool size")
    parser.add_argument("--drain", type=int, help="payments in the re-verification drain")
    parser.add_argument("--sweep-batch", type=int, default=1000, help="PAYMENTS_SWEEP_BATCH_SIZE")
    parser.add_argument(
        "--only", help="comma-separated scenarios: browse,checkout,webhooks,drain,hot"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy during checkout and drain")
    parser.add_argument("--keep", action="store_true", help="leave the databases for inspection")
    parser.add_argument("--out", help="results folder (default: bench/results, smoke: var/bench)")
    args = parser.parse_args()

    plan = Plan.smoke_plan() if args.smoke else Plan()
    if args.duration:
        plan.duration = args.duration
    if args.drain:
        plan.drain = args.drain
    plan.profile = args.profile
    config = StackConfig(
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        worker_concurrency=args.worker_concurrency,
        sweep_batch=args.sweep_batch,
    )
    if plan.smoke:  # its own databases, Redis database and ports: never collides with a full run
        config.shop_db, config.gateway_db = "loomleaf_bench_smoke", "loomleaf_bench_smoke_gw"
        config.redis_db, config.shop_port, config.gateway_port = 15, 8792, 8793
    stack = Stack(config)
    bench = Bench(plan, stack)
    only = set((args.only or "browse,checkout,webhooks,drain,hot").split(","))
    started = time.monotonic()
    try:
        dbs = f"{config.shop_db}, {config.gateway_db}"
        print(f"Preparing: databases {dbs}; Redis database {config.redis_db}", flush=True)
        stack.prepare()
        env = stack.shop_env()
        bench.seed(env, "catalogue", "--products", str(plan.products))
        stack.start_servers()
        print(f"Shop on {stack.shop_url}, gateway on {stack.gateway_url}", flush=True)
        bench.baselines()
        if "browse" in only:
            bench.browse()
        if "checkout" in only:
            bench.checkout()
        if "webhooks" in only:
            bench.webhooks(worker_running=False)
            bench.webhooks()
        if "drain" in only:
            bench.drain()
        if "hot" in only:
            bench.hot_product()
        bench.baseline_again()
    except Exception as exc:  # report what was measured, and fail
        traceback.print_exc()
        bench.problem(f"the bench itself failed: {exc!r}")
    finally:
        stack.stop_all()
        if not args.keep:
            stack.drop_services()
    bench.results["meta"] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": machine_name(),
        "cpus": len(os.sched_getaffinity(0)),
        "smoke": plan.smoke,
        "plan": asdict(plan),
        "stack": asdict(config),
        "total_s": round(time.monotonic() - started, 1),
        "python": sys.version.split()[0],
    }
    out = Path(args.out) if args.out else (VAR if plan.smoke else RESULTS)
    paths = report.write(bench.results, out)
    print(report.markdown(bench.results))
    print("Written: " + ", ".join(str(p) for p in paths))
    if bench.results["problems"]:
        print("BROKEN: " + "; ".join(bench.results["problems"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
