"""The Celery side: the task, a broker that is down, and a real worker on Redis."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app
from disputes.models import Concern, ReminderEmail
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from disputes.tasks import sweep
from tests.factories import CaseFactory, UserFactory
from tests.services import require_postgres, require_redis

ROOT = Path(__file__).resolve().parents[2]


def test_the_beat_schedule_runs_the_sweep_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep"]
    assert entry["task"] == "disputes.tasks.sweep" and entry["schedule"] == 300.0
    assert sweep.name in app.tasks


def test_reliability_settings(settings):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert sweep.time_limit and sweep.soft_time_limit < sweep.time_limit
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > 2 * settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.django_db
def test_the_task_calls_the_sweep(case, mailoutbox):
    entry_add(
        case=case,
        author=case.owner,
        kind="message_in",
        channel="email",
        body="x",
        happened_at=timezone.now() - dt.timedelta(hours=30),
    )
    result = sweep.apply().get()
    assert result["concerns"]["overdue"] == 1 and result["outbox"]["sent"] == 1 and len(mailoutbox) == 1


@pytest.fixture
def dead_broker(monkeypatch):
    """Point the app itself at a closed port, as when Redis is down, and put it back afterwards."""

    def reset_pools():
        # Celery caches its connection and producer pools on the app: drop the references so the URL is
        # read again (not closing them: kombu keeps them in a registry the real broker's tests reuse).
        app._pool = None
        app.amqp._producer_pool = None

    saved, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False  # really publish
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_pools()
    try:
        yield
    finally:
        monkeypatch.undo()
        app.conf.broker_url, app.conf.task_always_eager = saved, eager
        reset_pools()


@pytest.mark.django_db
def test_saving_a_message_does_not_need_the_broker(dead_broker, owner_client, case, mailoutbox):
    # The app's own broker really is unreachable: publishing through it fails.
    with pytest.raises(OperationalError):
        sweep.apply_async(retry=False)
    started = time.monotonic()
    response = owner_client.post(
        reverse("disputes:entry_add", args=[case.pk]),
        {"kind": "message_in", "channel": "email", "body": "Where is my refund?"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2
    concern = Concern.objects.get(case=case)
    # Once the sweep runs again (broker back, or the command by hand), it is flagged and e-mailed.
    result = sweep_run(now=concern.due_at + dt.timedelta(minutes=1))
    assert result.concerns.overdue == 1 and len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task publishes on purpose
def test_a_real_worker_on_redis_runs_the_sweep_and_an_email_lands(tmp_path):
    broker = require_redis()
    require_postgres()
    user = UserFactory(email="worker-test@example.com")
    case = CaseFactory(project__client__owner=user, title="Worker-test case")
    entry_add(
        case=case,
        author=user,
        kind="message_in",
        channel="email",
        body="Hello?",
        happened_at=timezone.now() - dt.timedelta(hours=30),
    )
    db = connection.settings_dict
    mail_dir = tmp_path / "mail"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://settle.example.com",
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SETTLE_VAR_DIR": str(tmp_path / "var"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        app.send_task("disputes.tasks.sweep")  # published to Redis, whatever the test process's eager setting
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ReminderEmail.objects.filter(user=user, status="sent").exists():
                break
            if worker.poll() is not None:
                break
            time.sleep(0.25)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output = worker.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0]
    assert ReminderEmail.objects.filter(user=user, status="sent").count() == 1, output[-3000:]
    files = list(mail_dir.glob("*.log"))
    assert files, output[-3000:]
    written = "".join(path.read_text() for path in files)
    assert "Worker-test case" in written and "worker-test@example.com" in written
    assert Concern.objects.get(case=case).overdue_flagged_at is not None


@pytest.mark.django_db
def test_the_daily_staff_digest_task(mailoutbox, settings):
    from disputes.services.cases import case_move
    from disputes.tasks import send_staff_digest

    assert settings.CELERY_BEAT_SCHEDULE["staff-digest"]["task"] == "disputes.tasks.send_staff_digest"
    UserFactory(is_staff=True, email="staff@example.com")
    case = CaseFactory(title="Escalated and waiting")
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        case_move(case=case, actor=case.owner, move="fast_track", reason="fraud", ground="fraud")
    assert send_staff_digest.apply().get() == 1
    assert send_staff_digest.apply().get() == 1  # the same day's digest, not a second one
    assert [m.to for m in mailoutbox] == [["staff@example.com"]]
    assert "Escalated and waiting" in mailoutbox[0].body


@pytest.mark.django_db
def test_the_nightly_analyze_gives_sqlite_its_statistics():
    from django.db import connection

    from disputes.tasks import analyze_database

    result = analyze_database()
    if connection.vendor != "sqlite":
        assert result == "skipped"
        return
    assert result == "analyzed"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1
