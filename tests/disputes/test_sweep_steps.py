"""The sweep as named steps: each step's own counts, e-mails in the sweep that queued them, indexes chosen."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from disputes.models import Concern, FormSubmission, TimelineEntry
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


def test_each_step_reports_its_own_counts(mailoutbox):
    owner = UserFactory(time_zone="UTC")
    chatty = CaseFactory(project__client__owner=owner)
    billing = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=billing.project, amount=Decimal("300"))
    with time_machine.travel(T0, tick=False):
        entry_add(case=chatty, author=owner, kind="message_in", channel="email", body="Hello?")
        letter = letter_draft(
            case=billing, author=owner, kind="demand", data=letter_defaults(case=billing, kind="demand")
        )
        letter_finalize(letter=letter, actor=owner)
    with time_machine.travel(T0 + dt.timedelta(days=9), tick=False):
        result = sweep_run()
    assert (result.concerns.overdue, result.concerns.due_soon, result.concerns.emails_created) == (1, 0, 1)
    assert result.letters.flagged == 1
    assert (result.outbox.sent, result.outbox.failed) == (2, 0)
    assert result.as_dict()["letters"] == {"flagged": 1}
    assert "letters: 1 deadline(s) passed" in result.summary()
    assert len(mailoutbox) == 2


def test_a_passed_letter_deadline_is_emailed_in_the_sweep_that_flags_it(mailoutbox):
    """The clock runs on during the sweep (tick=True): the e-mail is due at the sweep's time, not later."""
    owner = UserFactory(time_zone="UTC")
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=case.project, amount=Decimal("300"))
    with time_machine.travel(T0, tick=False):
        letter = letter_finalize(
            letter=letter_draft(case=case, author=owner, kind="demand", data=letter_defaults(case=case, kind="demand")),
            actor=owner,
        )
    with time_machine.travel(letter.deadline_at + dt.timedelta(minutes=1), tick=True):
        result = sweep_run()
    assert result.letters.flagged == 1 and result.outbox.sent == 1
    assert [m.subject for m in mailoutbox] == ["Settle: a letter's deadline passed without payment"]


def test_old_submission_keys_are_forgotten_by_the_sweep(owner):
    import uuid

    now = timezone.now()
    FormSubmission.objects.create(user=owner, key=uuid.uuid4(), url="/old/", created_at=now - dt.timedelta(days=2))
    FormSubmission.objects.create(user=owner, key=uuid.uuid4(), url="/new/", created_at=now - dt.timedelta(hours=2))
    assert sweep_run(now=now).submissions_pruned == 1
    assert list(FormSubmission.objects.values_list("url", flat=True)) == ["/new/"]


def _realistic_concerns(total: int, open_share: int) -> None:
    """`total` concerns, one in `open_share` still open: most of a busy installation's are answered or closed."""
    user = UserFactory()
    case = CaseFactory(project__client__owner=user)
    now = timezone.now()
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind="message_in",
            channel="email",
            body="x",
            happened_at=now,
            recorded_at=now,
            author=user,
            sequence=i + 1,
        )
        for i in range(total)
    )
    Concern.objects.bulk_create(
        Concern(
            owner=user,
            case=case,
            message=entry,
            state="open" if i % open_share == 0 else "answered",
            received_at=now - dt.timedelta(hours=i % 500),
            due_at=now - dt.timedelta(hours=i % 500) + dt.timedelta(hours=24),
        )
        for i, entry in enumerate(entries)
    )


def _sweep_query(now):
    return Concern.objects.filter(state="open", due_at__lte=now, overdue_flagged_at__isnull=True)


def test_the_due_at_lookup_chooses_its_partial_index_with_real_statistics():
    """On whichever database the suite runs on (CI: PostgreSQL; locally: SQLite), after ANALYZE."""
    _realistic_concerns(total=20_000 if connection.vendor == "postgresql" else 5_000, open_share=200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disputes_concern" if connection.vendor == "postgresql" else "ANALYZE")
    plan = _sweep_query(timezone.now()).explain()
    assert "concern_open_due" in plan, plan
    if connection.vendor == "postgresql":
        assert "Seq Scan on disputes_concern" not in plan, plan
    else:
        assert "USING INDEX concern_open_due" in plan, plan
