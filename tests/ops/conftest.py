"""Fixtures for the production-shape and failure tests: private services and environments."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.environments import production_env
from tests.ops.services import PrivatePostgres, PrivateRedis, gunicorn, manage


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@dataclass
class ProductionStack:
    url: str
    env: dict[str, str]
    postgres: PrivatePostgres
    redis: PrivateRedis
    log: Path


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    """gunicorn with production settings on a private PostgreSQL and a private Redis: migrated,
    static files collected, HTTPS as a TLS proxy would report it (X-Forwarded-Proto)."""
    folder = tmp_path_factory.mktemp("production")
    postgres = PrivatePostgres()
    redis = PrivateRedis(folder)
    try:
        postgres.start()
        redis.start()
        database = f"loomleaf_{uuid.uuid4().hex[:8]}"
        postgres.create_database(database)
        env = production_env(
            folder,
            DATABASE_URL=postgres.url(database),
            CELERY_BROKER_URL=redis.url,
            CACHE_URL=redis.url.removesuffix("/0") + "/1",
            DB_CONNECT_TIMEOUT="2",
        )
        for command in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v", "0")):
            result = manage(env, *command)
            assert result.returncode == 0, result.stdout + result.stderr
        log = folder / "gunicorn.log"
        with gunicorn(env, log) as url:
            yield ProductionStack(url=url, env=env, postgres=postgres, redis=redis, log=log)
    finally:
        redis.stop()
        postgres.remove()
