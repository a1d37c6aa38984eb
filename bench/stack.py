"""The production shape on this machine, for `make bench`: databases, Redis, gunicorn x2, Celery.

- PostgreSQL (127.0.0.1:5432, user postgres): two databases the bench creates and drops, the
  shop's (`loomleaf_bench`) and the gateway's (`loomleaf_bench_gw`), so that the sandbox is a
  separate service with its own data, as PhonePe is.
- Redis (127.0.0.1:6379): one database (14 by default) for the broker, the cache (rate-limit
  counters) and the bench's own task counters; only that database is flushed.
- The shop: gunicorn with config/gunicorn.py (the production Procfile's), DJANGO_ENV=production,
  the sandbox switched off, PhonePe pointed at the sandbox's server, BENCH_BASELINE=1 (the
  baseline views and the per-response measurements of bench/metrics.py), rate limits off.
- The gateway: a second gunicorn of the same project on another port, with only the sandbox's
  database; its webhooks are addressed to the shop; its timer tasks go to a queue of its own
  that no worker reads (nothing in the scenarios waits for them).
- The Celery worker and mailer as in the Procfile (prefork; CELERY_CONCURRENCY children on the
  `celery` queue, one on the `email` queue); beat only while the re-verification drain runs.

Every process is started in its own session and stopped through its own process group id.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var" / "bench"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WEBHOOK_USERNAME = "bench_hooks"
WEBHOOK_PASSWORD = "bench-hooks-password"  # noqa: S105 (a throwaway value for a local run)


@dataclass
class StackConfig:
    shop_port: int = 8790
    gateway_port: int = 8791
    web_workers: int = 2
    web_threads: int = 4
    gateway_workers: int = 1
    gateway_threads: int = 8
    worker_concurrency: int = 4
    redis_db: int = 14
    shop_db: str = "loomleaf_bench"
    gateway_db: str = "loomleaf_bench_gw"
    sweep_batch: int = 1000
    sweep_interval: float = 1.0


@dataclass
class Stack:
    config: StackConfig
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    # --- addresses and environments ------------------------------------------------------------

    @property
    def shop_url(self) -> str:
        return f"http://127.0.0.1:{self.config.shop_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:6379/{self.config.redis_db}"

    def db_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    def _common_env(self) -> dict[str, str]:
        skip = ("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "PHONEPE_", "SANDBOX_", "BENCH_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
        env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_ENV="production",
            DJANGO_HTTPS="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CELERY_BROKER_URL=self.redis_url,
            CACHE_URL=self.redis_url,
            EMAIL_URL="dummymail://",  # the SMTP server is not what is measured
            PHONEPE_ENV="sandbox",
            PHONEPE_WEBHOOK_USERNAME=WEBHOOK_USERNAME,
            PHONEPE_WEBHOOK_PASSWORD=WEBHOOK_PASSWORD,
            SANDBOX_WEBHOOK_USERNAME=WEBHOOK_USERNAME,
            SANDBOX_WEBHOOK_PASSWORD=WEBHOOK_PASSWORD,
            # Rate limits (ops/ratelimit.py) would turn the load of one address into 429s.
            RATE_LIMITS_ENABLED="false",
            STATIC_ROOT=str(VAR / "static"),
            INVOICE_FILES_ROOT=str(VAR / "documents"),
            INVOICE_SELLER_NAME="Loom & Leaf (bench seller)",
            INVOICE_SELLER_ADDRESS="No. 14, 2nd Cross, Indiranagar\\nBengaluru 560038, Karnataka",
            INVOICE_SELLER_GSTIN="29ABCDE1234F1ZW",
            INVOICE_SELLER_STATE="Karnataka",
            LOG_FORMAT="json",  # production's logging as it is: JSON lines, access log on
            WEB_HOST="127.0.0.1",
            BENCH_REDIS_URL=self.redis_url,
        )
        return env

    def _server_env(
        self, *, db: str, url: str, port: int, workers: int, threads: int
    ) -> dict[str, str]:
        """The common environment of one of the two services: its database, address and size."""
        env = self._common_env()
        env.update(
            DATABASE_URL=self.db_url(db),
            SITE_URL=url,
            PORT=str(port),
            WEB_CONCURRENCY=str(workers),
            WEB_THREADS=str(threads),
        )
        return env

    def shop_env(self) -> dict[str, str]:
        c = self.config
        env = self._server_env(
            db=c.shop_db,
            url=self.shop_url,
            port=c.shop_port,
            workers=c.web_workers,
            threads=c.web_threads,
        )
        gateway_api = f"{self.gateway_url}/sandbox/pg"
        env.update(
            SANDBOX_ENABLED="false",
            PHONEPE_BASE_URL=gateway_api,
            PHONEPE_AUTH_BASE_URL=gateway_api,
            BENCH_BASELINE="1",
            PAYMENTS_SWEEP_BATCH_SIZE=str(self.config.sweep_batch),
            PAYMENTS_SWEEP_INTERVAL_SECONDS=str(self.config.sweep_interval),
        )
        return env

    def gateway_env(self) -> dict[str, str]:
        c = self.config
        env = self._server_env(
            db=c.gateway_db,
            url=self.gateway_url,
            port=c.gateway_port,
            workers=c.gateway_workers,
            threads=c.gateway_threads,
        )
        env.update(
            SANDBOX_ENABLED="true",
            SANDBOX_WEBHOOK_URL=f"{self.shop_url}/payments/webhooks/phonepe/",
            CELERY_TASK_DEFAULT_QUEUE="bench-gateway",
        )
        return env

    # --- databases and Redis --------------------------------------------------------------------

    def reset_services(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            for name in (self.config.shop_db, self.config.gateway_db):
                ident = sql.Identifier(name)
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        self.redis().flushdb()

    def drop_services(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            for name in (self.config.shop_db, self.config.gateway_db):
                ident = sql.Identifier(name)
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        self.redis().flushdb()

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def shop_sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        url = self.db_url(self.config.shop_db).replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(query.encode(), params)
            return list(cursor.fetchall()) if cursor.description else []

    # --- processes ------------------------------------------------------------------------------

    def manage(self, env: dict[str, str], *args: str) -> None:
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
        )

    def python(self, env: dict[str, str], *args: str) -> None:
        subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, check=True)  # noqa: S603

    def prepare(self) -> None:
        (VAR / "logs").mkdir(parents=True, exist_ok=True)
        self.reset_services()
        shop, gateway = self.shop_env(), self.gateway_env()
        migrations = [
            subprocess.Popen(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=BASE_DIR,
                env=env,
            )
            for env in (shop, gateway)
        ]
        self.manage(shop, "collectstatic", "--noinput", "-v", "0")
        if any(m.wait() != 0 for m in migrations):
            raise RuntimeError("migrate failed (see above)")
        self.shop_sql(
            "CREATE TABLE bench_baseline_row (id bigserial PRIMARY KEY, "
            "created_at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)"
        )

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = (VAR / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def gunicorn(self, name: str, env: dict[str, str]) -> None:
        gunicorn = str(VENV_BIN / "gunicorn")
        self.start(name, [gunicorn, "config.wsgi:application", "-c", "config/gunicorn.py"], env)

    def start_servers(self) -> None:
        self.gunicorn("gateway", self.gateway_env())
        self.gunicorn("shop", self.shop_env())
        self.start_worker()
        self.start_mailer()
        for url in (self.gateway_url, self.shop_url):
            self.wait_http(f"{url}/healthz")
        self.wait_http(f"{self.shop_url}/readyz")

    def celery_worker(self, name: str, queue: str, concurrency: int) -> None:
        """The production Procfile's worker and mailer lines."""
        self.start(
            name,
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--max-tasks-per-child=500",
                "--without-gossip",
                "--without-mingle",
                f"--queues={queue}",
                f"--hostname=bench-{name}@%h",
            ],
            self.shop_env(),
        )

    def start_worker(self) -> None:
        self.celery_worker("worker", "celery", self.config.worker_concurrency)

    def start_mailer(self) -> None:
        self.celery_worker("mailer", "email", 1)

    def start_beat(self) -> None:
        schedule = VAR / "beat-schedule"
        for old in VAR.glob("beat-schedule*"):
            old.unlink()
        self.start(
            "beat",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={schedule}",
            ],
            self.shop_env(),
        )

    def wait_http(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}); see {VAR}/logs/")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")
            time.sleep(0.3)

    def stop(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # the group this bench started, by its id
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def worker_pids(self) -> list[int]:
        """The worker's main process and its pool children."""
        process = self.processes.get("worker")
        if process is None:
            return []
        pids = [process.pid]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == process.pid:
                pids.append(int(entry.name))
        return pids

    def worker_rss_mib(self) -> float:
        total_kib = 0
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total_kib += int(line.split()[1])
            except OSError:
                continue
        return round(total_kib / 1024, 1)

    def server_pids(self, name: str) -> list[int]:
        process = self.processes.get(name)
        return [process.pid] if process else []


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds of it and its reaped children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        # fields[0] is the state; utime, stime, cutime, cstime are fields 14-17 of stat.
        cpu = sum(int(v) for v in fields[11:15]) / ticks
        table[int(entry.name)] = (int(fields[1]), name, cpu)
    return table


def cpu_seconds(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU used so far by each named process tree, and by PostgreSQL and Redis as a whole."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid: int) -> float:
        if pid not in table:
            return 0.0
        return table[pid][2] + sum(tree(child) for child in children.get(pid, []))

    used = {name: round(sum(tree(pid) for pid in pids), 3) for name, pids in roots.items()}
    # The whole machine's busy time (user + nice + system + irq + softirq), to see other load.
    busy = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    used["machine"] = round((sum(busy) - busy[3] - busy[4]) / os.sysconf("SC_CLK_TCK"), 3)
    for service, prefix in (("postgres", "postgres"), ("redis", "redis-server")):
        tops = [
            pid
            for pid, (parent, name, _) in table.items()
            if name.startswith(prefix) and not table.get(parent, (0, "", 0))[1].startswith(prefix)
        ]
        used[service] = round(sum(tree(pid) for pid in tops), 3)
    return used
