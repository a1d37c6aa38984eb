"""Private services for failure tests: a redis-server, a PostgreSQL cluster, gunicorn and Celery
workers that the test itself starts, stops and restarts. The machine's shared PostgreSQL and
Redis are never touched. Each helper stops what it started, by its own process id.

Without the server binaries a test skips on a developer's machine, and fails in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def missing_service(what: str) -> None:
    """Skip here, fail in CI: a failure test that did not run proves nothing."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {what}")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop_process(process: subprocess.Popen[Any], *, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PrivateRedis:
    """A redis-server on a free port, keeping nothing on disk; stop() and start() for outages."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing_service("redis-server is not installed")
        self.binary = str(binary)
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: port_open(self.port), timeout=10, what="the private redis-server")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
        wait_until(lambda: not port_open(self.port), timeout=10, what="redis-server to stop")


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder on a free port (as the `postgres` OS user when
    run as root, which PostgreSQL refuses to run as)."""

    def __init__(self) -> None:
        bins = [d for d in PG_BIN_DIRS if (d / "initdb").exists()]
        if not bins:
            missing_service("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = bins[0]
        self.as_postgres = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="loomleaf-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if self.as_postgres:
            shutil.chown(self.folder, user="postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            pytest.fail(f"{tool} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "30", "start"
        )
        wait_until(lambda: port_open(self.port), timeout=30, what="the private PostgreSQL")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def create_database(self, name: str) -> None:
        import psycopg

        url = self.url().replace("postgres://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            if self.as_postgres:
                command = ["runuser", "-u", "postgres", "--", *command]
            subprocess.run(command, capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """The production web process (config/gunicorn.py) on a free port; yields its base URL."""
    port = free_port()
    env = {**env, "PORT": str(port), "WEB_HOST": "127.0.0.1", "WEB_CONCURRENCY": "2"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"

        def answering() -> bool:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited ({process.returncode}); see {log_path}")
            try:
                return requests.get(f"{url}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        try:
            wait_until(answering, timeout=60, what="gunicorn to answer /healthz")
            yield url
        finally:
            stop_process(process)


def celery_worker(
    env: dict[str, str], log_path: Path, *, queue: str, beat_schedule: Path | None = None
) -> subprocess.Popen[bytes]:
    """A Celery worker in its own process (solo pool: one process, so kill -9 kills the task),
    on `queue` and, as the Procfile's worker, on the email queue of `env`."""
    queues = ",".join(filter(None, [queue, env.get("CELERY_EMAIL_QUEUE")]))
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    command += ["--loglevel=INFO", "--queues", queues, "--without-gossip", "--without-mingle"]
    command += ["--hostname", f"ops-{free_port()}@localhost"]
    if beat_schedule is not None:
        command += ["--beat", "--schedule", str(beat_schedule)]
    log = log_path.open("ab")
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_hard(process: subprocess.Popen[Any]) -> None:
    """kill -9: no warm shutdown, nothing written back to the broker."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
