"""Outside deadlines: recording them, and the sweep's warnings (48 h, 24 h, missed: once each).
The board, the feed and the pages: test_deadline_board.py."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes.models import Deadline, Notification, Ticket, TimelineEntry
from disputes.services.common import NotYours
from disputes.services.deadlines import (
    deadline_add,
    deadline_met,
    deadline_move,
    deadlines_warn,
    ticket_add,
)
from disputes.services.sweep import sweep_run
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def platform_case(owner):
    return CaseFactory(project__client__owner=owner, stage="platform_support", title="Logo for Acme")


def _deadline(case, hours: float, title="Send evidence to the platform", **kwargs) -> Deadline:
    return deadline_add(
        case=case, actor=case.owner, title=title, due_at=timezone.now() + dt.timedelta(hours=hours),
        owed_by=kwargs.pop("owed_by", "me"), **kwargs,
    )  # fmt: skip


# --- Recording ---------------------------------------------------------------------------------
def test_a_ticket_and_a_deadline_are_recorded_on_the_timeline(platform_case, owner):
    with time_machine.travel(T0, tick=False):
        ticket = ticket_add(case=platform_case, actor=owner, body="Upwork dispute team", reference="D-4471",
                            url="https://support.example.com/D-4471")  # fmt: skip
        deadline = _deadline(platform_case, 72, ticket=ticket)
    entries = list(platform_case.entries.filter(kind=TimelineEntry.Kind.OUTSIDE_DEADLINE).order_by("sequence"))
    assert [e.body for e in entries] == [
        "Ticket recorded with Upwork dispute team, reference D-4471 (https://support.example.com/D-4471).",
        "Deadline set (Upwork dispute team D-4471): Send evidence to the platform, due from you by "
        "4 Jun 2026, 09:00 UTC.",
    ]
    assert deadline.owner == owner and deadline.ticket == ticket


@pytest.mark.parametrize("stage", ["direct_talk", "reminders", "formal_letter"])
def test_tickets_and_deadlines_only_on_an_escalated_case(owner, stage):
    case = CaseFactory(project__client__owner=owner, stage=stage)
    with pytest.raises(ValidationError, match="platform support, mediation or legal"):
        ticket_add(case=case, actor=owner, body="Upwork")
    with pytest.raises(ValidationError, match="platform support, mediation or legal"):
        _deadline(case, 72)
    assert not Ticket.objects.exists() and not Deadline.objects.exists() and not case.entries.exists()


def test_a_stale_page_cannot_add_a_deadline_to_a_case_closed_since(platform_case, owner):
    from disputes.models import Case

    stale = Case.objects.get(pk=platform_case.pk)
    Case.objects.filter(pk=platform_case.pk).update(status="resolved")
    with pytest.raises(ValidationError, match="closed"):
        _deadline(stale, 72)
    assert not Deadline.objects.exists()


@pytest.mark.parametrize(("hours", "message"), [(-1, "already passed"), (24 * 365 * 4, "three years")])
def test_past_and_far_away_deadlines_are_refused(platform_case, hours, message):
    with pytest.raises(ValidationError, match=message):
        _deadline(platform_case, hours)
    assert not Deadline.objects.exists()


def test_someone_elses_ticket_cannot_hold_my_deadline(platform_case, outsider):
    other = CaseFactory(project__client__owner=outsider, stage="legal")
    foreign = ticket_add(case=other, actor=outsider, body="Court")
    with pytest.raises(ValidationError, match="another case"):
        _deadline(platform_case, 72, ticket=foreign)


def test_only_the_owner_writes(platform_case, outsider):
    with pytest.raises(NotYours):
        ticket_add(case=platform_case, actor=outsider, body="Upwork")
    assert not Ticket.objects.exists()


# --- The sweep's warnings ----------------------------------------------------------------------
def _sweep_at(moment) -> None:
    with time_machine.travel(moment, tick=False):
        sweep_run()


def test_warned_at_48_and_24_hours_then_flagged_once_each(platform_case, mailoutbox):
    with time_machine.travel(T0, tick=False):
        deadline = _deadline(platform_case, 100)
    due = deadline.due_at
    for moment in (due - dt.timedelta(hours=49), due - dt.timedelta(hours=47), due - dt.timedelta(hours=46),
                   due - dt.timedelta(hours=23), due - dt.timedelta(hours=22), due + dt.timedelta(minutes=1),
                   due + dt.timedelta(hours=5)):  # fmt: skip
        _sweep_at(moment)
    assert [mail.subject for mail in mailoutbox] == [
        "Settle: an outside deadline is 48 hours away",
        "Settle: an outside deadline is 24 hours away",
        "Settle: an outside deadline has passed",
    ]
    assert "Send evidence to the platform" in mailoutbox[0].body and "Logo for Acme" in mailoutbox[0].body
    assert f"/cases/{platform_case.pk}/deadlines/" in mailoutbox[0].body
    deadline.refresh_from_db()
    assert deadline.warned_48_at and deadline.warned_24_at and deadline.missed_at


def test_a_deadline_first_seen_inside_24_hours_gets_one_warning(platform_case, mailoutbox):
    with time_machine.travel(T0, tick=False):
        _deadline(platform_case, 20)
    _sweep_at(T0 + dt.timedelta(minutes=5))
    _sweep_at(T0 + dt.timedelta(hours=1))
    assert [mail.subject for mail in mailoutbox] == ["Settle: an outside deadline is 24 hours away"]


def test_a_moved_deadline_is_warned_about_again_for_its_new_time(platform_case, owner, mailoutbox):
    with time_machine.travel(T0, tick=False):
        deadline = _deadline(platform_case, 40)
        sweep_run()
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        moved = deadline_move(deadline=deadline, actor=owner, due_at=T0 + dt.timedelta(days=6),
                              reason="The platform gave us until next week")  # fmt: skip
        sweep_run()  # 143 hours ahead: nothing yet
    assert moved.warned_48_at is None and moved.revision == 1
    _sweep_at(T0 + dt.timedelta(days=4, hours=1))
    assert [mail.subject for mail in mailoutbox] == ["Settle: an outside deadline is 48 hours away"] * 2
    assert "Why: The platform gave us until next week" in platform_case.entries.latest("sequence").body


def test_met_deadlines_and_closed_cases_are_not_warned_about(platform_case, owner, mailoutbox):
    with time_machine.travel(T0, tick=False):
        met = _deadline(platform_case, 30, title="Met one")
        deadline_met(deadline=met, actor=owner)
        other = CaseFactory(project__client__owner=owner, stage="legal")
        _deadline(other, 30, title="On a case closed since")
        other.status = "resolved"
        other.save(update_fields=["status"])
        sweep_run()
    assert mailoutbox == []


def test_two_sweeps_at_the_same_moment_send_one_warning(platform_case):
    with time_machine.travel(T0, tick=False):
        _deadline(platform_case, 30)
    now = T0 + dt.timedelta(minutes=1)
    first, second = deadlines_warn(now=now), deadlines_warn(now=now)
    assert first["48h"] == 1 and second == {"48h": 0, "24h": 0, "missed": 0}
    assert Notification.objects.filter(key__startswith="deadline:").count() == 1


def test_marking_met_twice_writes_one_entry(platform_case, owner):
    deadline = _deadline(platform_case, 30)
    deadline_met(deadline=deadline, actor=owner)
    deadline_met(deadline=deadline, actor=owner)
    assert platform_case.entries.filter(body__startswith="Deadline met").count() == 1


def test_a_met_deadline_does_not_move(platform_case, owner):
    deadline = _deadline(platform_case, 30)
    deadline_met(deadline=deadline, actor=owner)
    with pytest.raises(ValidationError, match="met"):
        deadline_move(deadline=deadline, actor=owner, due_at=timezone.now() + dt.timedelta(days=3), reason="x")
