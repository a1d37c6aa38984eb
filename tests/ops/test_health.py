"""/healthz and /readyz through Django's test client, on the run's own database and broker."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.ops.services import free_port


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any database access in this test raises.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_reports_the_database_and_the_broker(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert "Connection refused" in broker["detail"] or "Error" in broker["detail"]
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_never_shows_a_password_from_the_broker_url(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"redis://:hunter2-broker-pw@127.0.0.1:{free_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert "hunter2-broker-pw" not in response.content.decode()


def test_probes_only_answer_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
