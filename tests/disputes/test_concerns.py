"""Concerns follow the timeline: replies, corrections, no-answer-needed, closing, the window."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.models import Case, Concern, TimelineEntry
from disputes.services.cases import case_move
from disputes.services.clock import response_settings_update
from disputes.services.timeline import concern_dismiss, entry_add, entry_correct

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def say(case, kind, when, body="..."):
    with time_machine.travel(when, tick=False):
        return entry_add(case=case, author=case.owner, kind=kind, channel="email", body=body, happened_at=when)


def deadline(case):
    return Case.objects.get(pk=case.pk).response_due_at


def test_an_incoming_message_starts_the_clock_and_a_reply_stops_it(case):
    message = say(case, "message_in", T0)
    concern = Concern.objects.get(message=message)
    assert (concern.state, concern.due_at, concern.owner_id) == ("open", T0 + dt.timedelta(hours=24), case.owner_id)
    assert deadline(case) == T0 + dt.timedelta(hours=24)
    say(case, "message_out", T0 + dt.timedelta(hours=3))
    concern.refresh_from_db()
    assert concern.state == "answered" and concern.answered_at == T0 + dt.timedelta(hours=3)
    assert deadline(case) is None


def test_notes_and_calls_do_not_answer(case):
    say(case, "message_in", T0)
    say(case, "note", T0 + dt.timedelta(hours=1))
    say(case, "call", T0 + dt.timedelta(hours=2))
    assert deadline(case) == T0 + dt.timedelta(hours=24)


def test_correcting_a_reply_to_a_later_time_reopens_what_it_no_longer_answers(case):
    say(case, "message_in", T0)
    reply = say(case, "message_out", T0 + dt.timedelta(hours=1))
    say(case, "message_in", T0 + dt.timedelta(hours=2))
    assert deadline(case) == T0 + dt.timedelta(hours=26)
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        entry_correct(
            original=reply,
            author=case.owner,
            body="sent later",
            channel="email",
            happened_at=T0 + dt.timedelta(hours=3),
        )
    # The reply now answers both messages.
    assert deadline(case) is None
    assert Concern.objects.filter(case=case, state="answered").count() == 2


def test_no_answer_needed_is_recorded_and_stops_the_clock(case):
    message = say(case, "message_in", T0)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        entry = concern_dismiss(message=message, author=case.owner, reason="Only said thanks.")
    assert entry.kind == "no_answer_needed" and entry.about == message and entry.body == "Only said thanks."
    assert Concern.objects.get(message=message).state == "not_needed"
    assert deadline(case) is None
    with pytest.raises(ValidationError):
        concern_dismiss(message=message, author=case.owner, reason="again")
    with pytest.raises(ValidationError):
        concern_dismiss(message=say(case, "message_in", T0), author=case.owner, reason="  ")
    assert TimelineEntry.objects.filter(kind="no_answer_needed").count() == 1


def test_only_client_messages_can_be_dismissed(case):
    reply = say(case, "message_out", T0)
    with pytest.raises(ValidationError):
        concern_dismiss(message=reply, author=case.owner, reason="x")


def test_closing_the_case_stops_the_clock_and_reopening_restarts_it(case):
    say(case, "message_in", T0)
    closed = case_move(case=case, actor=case.owner, move="walk_away", reason="Not worth it")
    assert closed.response_due_at is None
    assert Concern.objects.get(case=case).state == "case_closed"
    reopened = case_move(case=closed, actor=case.owner, move="reopen", reason="Client wrote again")
    assert reopened.response_due_at == T0 + dt.timedelta(hours=24)


def test_a_shorter_window_moves_open_deadlines(case):
    say(case, "message_in", T0)
    owner = case.owner
    assert response_settings_update(user=owner, email_reminders=True, response_window_hours=6)
    assert deadline(case) == T0 + dt.timedelta(hours=6)
    with pytest.raises(ValidationError):
        response_settings_update(user=owner, email_reminders=True, response_window_hours=48)
    assert deadline(case) == T0 + dt.timedelta(hours=6)


def test_the_window_change_is_read_from_the_stored_row_not_the_instance(case):
    say(case, "message_in", T0)
    owner = case.owner
    owner.response_window_hours = 6  # what a bound profile form has done to request.user already
    assert response_settings_update(user=owner, email_reminders=True, response_window_hours=6) is True
    assert deadline(case) == T0 + dt.timedelta(hours=6)


def test_changing_the_window_on_the_profile_page_moves_open_deadlines(owner_client, owner, case):
    say(case, "message_in", T0)
    data = {"name": "", "business_name": "", "time_zone": "UTC", "email_reminders": "on"}
    response = owner_client.post(reverse("disputes:profile"), {**data, "response_window_hours": "8"}, follow=True)
    assert "moved to the new window" in response.content.decode()
    assert deadline(case) == T0 + dt.timedelta(hours=8)
    # Back to the standard window (empty): the deadline moves back.
    owner_client.post(reverse("disputes:profile"), {**data, "response_window_hours": ""})
    assert deadline(case) == T0 + dt.timedelta(hours=24)


def test_profile_form_refuses_a_longer_window(owner_client, owner):
    data = {"name": "", "business_name": "", "time_zone": "UTC", "email_reminders": "on"}
    response = owner_client.post(reverse("disputes:profile"), {**data, "response_window_hours": "30"})
    assert response.status_code == 200 and "Use 24 or less." in response.content.decode()
    owner_client.post(reverse("disputes:profile"), {**data, "response_window_hours": "12"})
    owner.refresh_from_db()
    assert owner.response_window_hours == 12


def test_no_answer_needed_page(owner_client, case):
    message = say(case, "message_in", T0)
    url = reverse("disputes:concern_dismiss", args=[case.pk, message.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Fill this in." in response.content.decode()
    owner_client.post(url, {"reason": "Answered on the phone"})
    assert deadline(case) is None
    reply = say(case, "message_out", T0)
    assert owner_client.get(reverse("disputes:concern_dismiss", args=[case.pk, reply.pk])).status_code == 404


def test_the_case_page_shows_waiting_answered_and_dismissed_messages(owner_client, case):
    waiting = say(case, "message_in", T0, body="Still waiting")
    answered = say(case, "message_in", T0 - dt.timedelta(days=2), body="Old one")
    say(case, "message_out", T0 - dt.timedelta(days=1))
    dismissed = say(case, "message_in", T0 + dt.timedelta(minutes=1), body="Thanks!")
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        concern_dismiss(message=dismissed, author=case.owner, reason="Only thanks")
        html = owner_client.get(case.get_absolute_url()).content.decode()
    assert html.count('data-testid="concern-open"') == 1
    assert f'href="/cases/{case.pk}/entries/{waiting.pk}/no-answer-needed/"' in html
    assert f'href="/cases/{case.pk}/entries/{answered.pk}/no-answer-needed/"' not in html
    assert (
        "Answered" in html and "needs no answer" in html and f'href="?at={dismissed.pk}#entry-{dismissed.pk}"' in html
    )
    assert 'data-testid="clock-banner"' in html


@pytest.mark.parametrize("offset_minutes", [-60, -1, 0, 1, 239, 240, 241, 1440])
def test_nav_counts_agree_with_the_clock_filters_at_the_edges(owner, offset_minutes):
    """The navigation bar's SQL counts say what the case list's filters show, at the window's edges too."""
    from disputes.models import Case as CaseModel
    from disputes.selectors_nav import nav_counts
    from tests.factories import CaseFactory

    now = T0 + dt.timedelta(days=10)
    CaseFactory(project__client__owner=owner, response_due_at=now + dt.timedelta(minutes=offset_minutes))
    CaseFactory(title="Someone else's", response_due_at=now + dt.timedelta(minutes=offset_minutes))
    mine = CaseModel.objects.for_owner(owner)
    window = dt.timedelta(hours=4)
    expected = {
        "overdue": mine.answer_overdue(now).count(),
        "due_soon": mine.answer_due_soon(now, window).count(),
        "queue": 0,
        "deadlines": 0,  # other deadlines: tests/disputes/test_deadlines.py
    }
    assert sum(expected.values()) == (1 if offset_minutes <= 240 else 0)
    counts = nav_counts(owner, now, window)
    assert {name: counts[name] for name in expected} == expected


def test_clock_filters_and_counts_agree(owner_client, owner):
    from disputes.models import Case as CaseModel
    from disputes.selectors_nav import nav_counts
    from tests.factories import CaseFactory

    now = T0 + dt.timedelta(days=10)
    overdue = CaseFactory(project__client__owner=owner, title="Late", response_due_at=now - dt.timedelta(hours=1))
    soon = CaseFactory(project__client__owner=owner, title="Soon", response_due_at=now + dt.timedelta(hours=2))
    later = CaseFactory(project__client__owner=owner, title="Later", response_due_at=now + dt.timedelta(hours=20))
    CaseFactory(project__client__owner=owner, title="Quiet")
    CaseFactory(title="Someone else's", response_due_at=now - dt.timedelta(hours=5))
    mine = CaseModel.objects.for_owner(owner)
    window = dt.timedelta(hours=4)
    assert list(mine.answer_overdue(now)) == [overdue]
    assert list(mine.answer_due_soon(now, window)) == [soon]
    assert set(mine.awaiting_answer()) == {overdue, soon, later}
    counts = nav_counts(owner, now, window)
    assert counts == {**counts, "overdue": 1, "due_soon": 1, "queue": 0, "deadlines": 0, "mediating": 0, "owns": True}
    with time_machine.travel(now, tick=False):

        def titles(query):
            page = owner_client.get(reverse("disputes:case_list") + query).context["page"]
            return [case.title for case in page.object_list]

        assert titles("?response=overdue") == ["Late"]
        assert titles("?response=due_soon") == ["Soon"]
        assert sorted(titles("?response=waiting")) == ["Late", "Later", "Soon"]
        assert titles("?response=waiting&sort=deadline") == ["Late", "Soon", "Later"]
        html = owner_client.get(reverse("disputes:dashboard")).content.decode()
    assert 'data-testid="overdue-count">1<' in html and 'data-testid="due-soon-count">1<' in html
    assert "1 overdue" in html and "1 due soon" in html  # the navigation bar


def test_the_navigation_counts_stop_at_99_and_say_so(owner_client, owner):
    from disputes.models import Case as CaseModel
    from disputes.selectors_nav import NAV_CAP, nav_counts
    from tests.factories import CaseFactory

    now = T0 + dt.timedelta(days=10)
    case = CaseFactory(project__client__owner=owner, response_due_at=now - dt.timedelta(hours=1))
    window = dt.timedelta(hours=4)
    late = [now - dt.timedelta(minutes=i + 1) for i in range(NAV_CAP)]
    CaseModel.objects.bulk_create(
        CaseModel(owner=owner, project=case.project, client=case.client, title=f"Late {i}", kind="billing",
                  opened_at=now, stage_changed_at=now, response_due_at=due)
        for i, due in enumerate(late)
    )  # fmt: skip
    assert CaseModel.objects.for_owner(owner).answer_overdue(now).count() == NAV_CAP + 1
    counts = nav_counts(owner, now, window)
    assert counts["overdue"] == NAV_CAP + 1 and str(counts["overdue"]) == "99+"
    CaseModel.objects.filter(title="Late 0").update(response_due_at=None)
    counts = nav_counts(owner, now, window)
    assert counts["overdue"] == NAV_CAP and str(counts["overdue"]) == "99"  # exact up to the cap
    CaseModel.objects.filter(title="Late 0").update(response_due_at=now - dt.timedelta(hours=2))
    CaseModel.objects.filter(title="Late 1").update(response_due_at=now - dt.timedelta(hours=3))
    assert nav_counts(owner, now, window)["overdue"] == NAV_CAP + 1  # read no further than the cap
    with time_machine.travel(now, tick=False):
        html = owner_client.get(reverse("disputes:case_list")).content.decode()
    assert "99+ overdue" in html
