"""What a load balancer and monitoring ask: can this process reach everything it needs?

`health_report` checks the database (one query), the Celery broker (a
connection), storage (a small file written and removed) and how long ago the
sweep last finished (older than three sweep intervals is a failure: beat or
the workers are down). Each check has a time limit of its own and reports
only "ok" or "failing": the reasons go to the log, not to whoever asks.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from disputes.models import Heartbeat

logger = logging.getLogger(__name__)

SWEEP = "sweep"


def sweep_beat(now: datetime.datetime) -> None:
    """Record that a sweep finished (called at the end of `sweep_run`)."""
    # One statement whether or not the row exists yet (INSERT … ON CONFLICT DO UPDATE).
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=SWEEP, at=now)], update_conflicts=True, unique_fields=["name"], update_fields=["at"]
    )


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


def _storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    default_storage.delete(name)


def _sweep(now: datetime.datetime) -> dict:
    beat = Heartbeat.objects.filter(name=SWEEP).first()
    limit = 3 * settings.SWEEP_INTERVAL_SECONDS
    if beat is None:
        raise RuntimeError("no sweep has finished yet")
    age = (now - beat.at).total_seconds()
    if age > limit:
        raise RuntimeError(f"the last sweep finished {age:.0f} s ago (limit {limit} s)")
    return {"age_seconds": round(age)}


def health_report(now: datetime.datetime | None = None) -> tuple[bool, dict]:
    """(healthy, {check: {"status": "ok"|"failing", ...}})."""
    now = now or timezone.now()
    report: dict[str, dict] = {}
    checks = [("database", _database), ("broker", _broker), ("storage", _storage), ("sweep", lambda: _sweep(now))]
    for name, check in checks:
        try:
            extra = check() or {}
            report[name] = {"status": "ok", **extra}
        except Exception as error:  # Any failure is a failing check, never a crash of the check.
            logger.warning("Health check %s failing: %s", name, error)
            report[name] = {"status": "failing"}
            if name == "database":
                # Nothing else can be judged without the database.
                report["sweep"] = {"status": "failing"}
                break
    healthy = all(item["status"] == "ok" for item in report.values())
    return healthy, report
