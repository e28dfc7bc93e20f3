"""The health endpoint: each dependency checked, 503 when one fails, nothing of the reason shown."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from disputes.services.sweep import sweep_run
from tests.disputes.test_tasks import dead_broker  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
URL = "/health/"


def test_the_url_is_public_and_stable():
    assert reverse("disputes:health") == URL


def test_all_checks_pass_after_a_sweep(client):
    sweep_run()
    response = client.get(URL)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "broker": "ok", "storage": "ok", "sweep": "ok",
    }  # fmt: skip


def test_no_sweep_yet_or_an_old_one_is_failing(client, settings):
    assert client.get(URL).json()["checks"]["sweep"]["status"] == "failing"
    settings.SWEEP_INTERVAL_SECONDS = 300
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        sweep_run()
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 14, tzinfo=dt.UTC), tick=False):
        assert client.get(URL).status_code == 200
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 16, tzinfo=dt.UTC), tick=False):
        response = client.get(URL)
    assert response.status_code == 503 and response.json()["checks"]["sweep"]["status"] == "failing"


@pytest.mark.usefixtures("dead_broker")
def test_a_broker_that_is_down_is_failing(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    sweep_run()
    response = client.get(URL)
    assert response.status_code == 503 and response.json()["checks"]["broker"]["status"] == "failing"
    assert "127.0.0.1" not in response.content.decode()


def test_storage_that_cannot_be_written_is_failing(client):
    sweep_run()
    with mock.patch("disputes.health.default_storage.save", side_effect=PermissionError("read-only")):
        response = client.get(URL)
    assert response.status_code == 503 and response.json()["checks"]["storage"]["status"] == "failing"
    assert "read-only" not in response.content.decode()


def test_a_database_that_is_down_fails_everything_it_carries(client):
    with mock.patch("disputes.health._database", side_effect=RuntimeError("gone")):
        body = client.get(URL).json()
    assert body["checks"]["database"]["status"] == body["checks"]["sweep"]["status"] == "failing"
