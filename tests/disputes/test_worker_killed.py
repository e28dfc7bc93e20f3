"""A real Celery worker on Redis, killed with SIGKILL while a real SMTP server holds it mid-send.

Before the hand-over (held at RCPT) the server has no message: once the
claim's lease runs out the sweep sends it again, and it arrives once. After
the hand-over (held waiting for the answer to the finished message) the
server has it: the sweep marks it unknown and never sends it again on its own.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from disputes.models import ReminderEmail
from disputes.services.reminders import concerns_flag
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, UserFactory
from tests.mailserver import MailServer
from tests.services import require_postgres, require_redis

ROOT = Path(__file__).resolve().parents[2]


def worker_env(tmp_path, broker: str, mail: MailServer) -> dict:
    db = connection.settings_dict
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://settle.example.com",
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "EMAIL_TIMEOUT": "30",
        "SETTLE_VAR_DIR": str(tmp_path / "var"),
    }


def wait_for(condition, seconds: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped on its own:\n{worker.communicate()[0][-3000:]}")
        time.sleep(0.1)
    pytest.fail("Timed out waiting for the worker to reach the mail server.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("hold", "outcome"), [("hang_rcpt", "sent"), ("hang_data", "unknown")])
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task publishes on purpose
def test_a_worker_killed_mid_send(tmp_path, settings, hold, outcome):
    broker = require_redis()
    require_postgres()
    mail = MailServer().start()
    mail.mode = hold
    try:
        user = UserFactory(email="killed@example.com")
        case = CaseFactory(project__client__owner=user)
        entry_add(case=case, author=user, kind="message_in", channel="email", body="Hello?",
                  happened_at=timezone.now() - dt.timedelta(hours=30))  # fmt: skip
        concerns_flag(now=timezone.now(), token=uuid.uuid4())  # the outbox row, not yet sent
        email = ReminderEmail.objects.get()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=worker_env(tmp_path, broker, mail),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            app.send_task("disputes.tasks.sweep")
            if hold == "hang_rcpt":
                wait_for(mail.reached.is_set, 60, worker)
            else:
                wait_for(lambda: ReminderEmail.objects.filter(handed_over_at__isnull=False).exists(), 60, worker)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        email.refresh_from_db()
        assert email.status == "sending"  # the killed worker recorded nothing more
        # The server may now answer; the sweep runs after the lease has run out.
        mail.mode = "accept"
        mail.release()
        mail.use(settings)
        lease_ends = email.lease_until
        result = sweep_run(now=lease_ends + dt.timedelta(seconds=1))
        email.refresh_from_db()
        assert result.outbox.reclaimed == 1
        assert email.status == outcome
        assert len(mail.received) == 1  # delivered exactly once either way
        assert mail.received[0]["Message-ID"] == email.message_id
        # Later sweeps change nothing.
        assert sweep_run(now=lease_ends + dt.timedelta(days=1)).outbox.sent == 0
        assert len(mail.received) == 1
    finally:
        mail.stop()
