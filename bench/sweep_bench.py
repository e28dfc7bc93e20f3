"""Benchmark of the response-clock sweep on a large dataset.

Builds USERS users with MESSAGES timeline messages in all, most of them
answered, plus OVERDUE concerns that all became overdue at once; then runs one
sweep and prints wall time, SQL query count, rows flagged, e-mails sent, and
the query plan of the due-at lookup.

    # SQLite (a throw-away file, not your local database):
    .venv/bin/python bench/sweep_bench.py
    # PostgreSQL (a throw-away server):
    scripts/with-services.sh .venv/bin/python bench/sweep_bench.py

Options: --messages 1000000 --users 100 --overdue 10000 --cases-per-user 10
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production-like settings: DEBUG off (it would also log every query of the build).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
if "DATABASE_URL" not in os.environ:
    os.environ["SETTLE_VAR_DIR"] = tempfile.mkdtemp(prefix="settle-bench-")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from disputes.models import (  # noqa: E402
    Case,
    Client,
    Concern,
    Project,
    Reminder,
    ReminderEmail,
    TimelineEntry,
)
from disputes.rules import chain  # noqa: E402
from disputes.services.sweep import sweep_run  # noqa: E402

BATCH = 10_000


def build(messages: int, users: int, overdue: int, cases_per_user: int, now: dt.datetime) -> None:
    password = make_password("bench-password-0123")
    people = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", password=password, name=f"Bench {i}") for i in range(users)
    )
    clients = Client.objects.bulk_create(Client(owner=u, name=f"Client of {u.name}") for u in people)
    projects = Project.objects.bulk_create(
        Project(owner=c.owner, client=c, title="Project", price=1000) for c in clients
    )
    cases = Case.objects.bulk_create(
        Case(
            owner=p.owner,
            project=p,
            client=p.client,
            title=f"Case {i} of {p.owner.name}",
            kind="billing",
            opened_at=now - dt.timedelta(days=60),
            stage_changed_at=now - dt.timedelta(days=60),
        )
        for p in projects
        for i in range(cases_per_user)
    )
    open_per_case = overdue // len(cases)
    answered_pairs_per_case = max(0, (messages - overdue) // len(cases) // 2)
    start = now - dt.timedelta(days=50)
    total = 0
    for case in cases:
        entries = []
        for i in range(answered_pairs_per_case):
            when = start + dt.timedelta(minutes=60 * i)
            entries.append(_entry(case, "message_in", when))
            entries.append(_entry(case, "message_out", when + dt.timedelta(minutes=30)))
        # The unanswered ones: received 25 to 30 hours ago, all past the 24-hour window.
        for i in range(open_per_case):
            entries.append(_entry(case, "message_in", now - dt.timedelta(hours=25, minutes=i % 300)))
        _chain(case, entries)
        with transaction.atomic():
            created = TimelineEntry.objects.bulk_create(entries, batch_size=BATCH)
            Case.objects.filter(pk=case.pk).update(chain_length=len(entries), chain_head=entries[-1].entry_sha256)
            Concern.objects.bulk_create(
                (_concern(case, entry, created, now) for entry in created if entry.kind == "message_in"),
                batch_size=BATCH,
            )
        total += len(created)
        if total % 100_000 < len(created):
            print(f"  … {total:,} messages", flush=True)
    oldest_open = Concern.objects.filter(case=OuterRef("pk"), state="open").order_by("due_at").values("due_at")[:1]
    Case.objects.update(response_due_at=Subquery(oldest_open))


def _chain(case: Case, entries: list[TimelineEntry]) -> None:
    """Make the entries a real hash chain, as the timeline's door would (rules.chain)."""
    head = chain.GENESIS
    for sequence, entry in enumerate(entries, start=1):
        entry.sequence, entry.previous_sha256 = sequence, head
        entry.content_sha256 = chain.content_hash(chain.entry_fields(entry, sequence_of=lambda pk: None))
        entry.entry_sha256 = head = chain.link_hash(head, entry.content_sha256)


def _entry(case: Case, kind: str, when: dt.datetime) -> TimelineEntry:
    return TimelineEntry(
        case=case, kind=kind, channel="email", body="…", happened_at=when, recorded_at=when, author_id=case.owner_id
    )


def _concern(case: Case, entry: TimelineEntry, created: list, now: dt.datetime) -> Concern:
    answered = entry.happened_at < now - dt.timedelta(days=10)
    return Concern(
        owner_id=case.owner_id,
        case=case,
        message=entry,
        state=Concern.State.ANSWERED if answered else Concern.State.OPEN,
        received_at=entry.happened_at,
        due_at=entry.happened_at + dt.timedelta(hours=24),
        answered_at=entry.happened_at + dt.timedelta(minutes=30) if answered else None,
    )


def _reset() -> None:
    """Undo a sweep (flags and outbox) so the same data can be swept again."""
    Reminder.objects.all().delete()
    ReminderEmail.objects.all().delete()
    Concern.objects.update(overdue_flagged_at=None, overdue_sweep=None, due_soon_flagged_at=None, due_soon_sweep=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--overdue", type=int, default=10_000)
    parser.add_argument("--cases-per-user", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="sweeps to time (flags reset between them)")
    args = parser.parse_args()

    vendor = connection.vendor
    print(f"Database: {vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    if TimelineEntry.objects.exists():
        sys.exit("The database is not empty: run the benchmark on a throw-away database.")
    now = timezone.now()
    started = time.perf_counter()
    build(args.messages, args.users, args.overdue, args.cases_per_user, now)
    built = time.perf_counter() - started
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    messages = TimelineEntry.objects.count()
    concerns = Concern.objects.count()
    print(f"Built {messages:,} messages, {concerns:,} concerns ({args.overdue:,} overdue) in {built:.1f} s")

    lookup = Concern.objects.filter(state="open", due_at__lte=now, overdue_flagged_at__isnull=True)
    print("\nQuery plan of the due-at lookup:")
    print("  " + lookup.explain().replace("\n", "\n  "))

    walls = []
    for run in range(args.repeat):
        if run:
            _reset()
        mail.outbox = []
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = sweep_run(now=now)
            walls.append(time.perf_counter() - started)
        print(
            f"Sweep {run + 1}: {walls[-1]:.2f} s wall time, {len(queries)} SQL queries, "
            f"{result.concerns.overdue:,} rows flagged overdue, {result.concerns.due_soon:,} due soon, "
            f"{len(mail.outbox)} e-mails sent ({result.outbox.failed} failed)"
        )
    again = sweep_run(now=now + dt.timedelta(minutes=5))
    print(f"\nMedian sweep wall time over {len(walls)} runs: {statistics.median(walls):.2f} s")
    print(f"A second sweep right after: {again.concerns.overdue} flagged, {again.outbox.sent} e-mails sent")


if __name__ == "__main__":
    main()
