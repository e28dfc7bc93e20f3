"""The deadline board, the navigation bar's count, the calendar feed, and the deadline pages."""

import datetime as dt
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from disputes.models import CalendarFeed, Deadline, DeadlineTemplate, Letter, Ticket
from disputes.selectors_deadlines import board_items
from disputes.selectors_nav import nav_counts
from disputes.services.deadlines import (
    deadline_add,
    deadline_met,
    deadline_move,
    feed_issue,
    feed_revoke,
    template_delete,
)
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize
from disputes.services.mediation import mediator_accept, mediator_invite, settlement_propose
from tests.factories import CaseFactory, MilestoneFactory, UserFactory

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


# --- The board and the navigation count ---------------------------------------------------------
@pytest.fixture
def five_kinds(owner, platform_case):
    """One open deadline of each kind, due at different times, and the same for someone else."""
    with time_machine.travel(T0, tick=False):
        platform_case.response_due_at = T0 + dt.timedelta(hours=20)
        platform_case.save(update_fields=["response_due_at"])
        _deadline(platform_case, 30, title="Platform: send evidence")
        MilestoneFactory(project=platform_case.project, title="Final payment", due_date=dt.date(2026, 6, 2))
        letter_case = CaseFactory(project__client__owner=owner, stage="formal_letter", title="Unpaid invoice")
        MilestoneFactory(project=letter_case.project, due_date=None, amount=Decimal("900"))
        letter = letter_draft(case=letter_case, author=owner, kind="demand",
                              data=letter_defaults(case=letter_case, kind="demand"))  # fmt: skip
        letter_finalize(letter=letter, actor=owner)
        mediation = CaseFactory(project__client__owner=owner, stage="mediation", title="Mediated")
        mediator = UserFactory()
        _, token = mediator_invite(case=mediation, owner=owner, email=mediator.email)
        mediator_accept(token=token, user=mediator)
        settlement_propose(case=mediation, mediator=mediator, amount=Decimal("100"), terms="Half",
                           deadline=dt.date(2026, 6, 20))  # fmt: skip
        theirs = CaseFactory(title="Someone else's", stage="legal",
                             response_due_at=T0 + dt.timedelta(hours=1))  # fmt: skip
        _deadline(theirs, 10, title="Not mine")
        MilestoneFactory(project=theirs.project, due_date=dt.date(2026, 6, 1))
    return Letter.objects.get(pk=letter.pk)


def test_the_board_lists_every_kind_soonest_first_and_only_mine(owner, five_kinds):
    items = board_items(owner, 50)
    assert [(item.kind, item.title) for item in items] == [
        ("answer", "Answer the client"),  # 2 June, 05:00
        ("platform", "Platform: send evidence"),  # 2 June, 15:00
        ("milestone", "Payment: Final payment"),  # 2 June, at the end of the day (UTC)
        ("letter", f"Payment asked for in “{five_kinds.subject}”"),  # 7 days after 1 June
        ("settlement", "Answer the mediator's proposal"),
    ]
    assert [item.due_at for item in items] == sorted(item.due_at for item in items)
    assert items[2].due_at == dt.datetime(2026, 6, 3, 0, 0, tzinfo=dt.UTC)


def test_met_paid_archived_and_closed_leave_the_board(owner, platform_case, five_kinds):
    from disputes.models import Case, Milestone

    Deadline.objects.update(met_at=T0)
    Milestone.objects.filter(project__owner=owner).update(paid_on=dt.date(2026, 6, 1))
    Letter.objects.update(paid_at=T0)
    Case.objects.filter(title="Mediated").update(archived_at=T0)
    Case.objects.filter(pk=platform_case.pk).update(status="resolved")
    assert board_items(owner, 50) == []


def test_the_navigation_count_agrees_with_the_board(owner, five_kinds):
    for hours in (0, 20, 40, 62, 24 * 8, 24 * 20):
        now = T0 + dt.timedelta(hours=hours)
        soon = now + dt.timedelta(hours=48)
        expected = sum(1 for item in board_items(owner, 50) if item.kind != "answer" and item.due_at <= soon)
        assert nav_counts(owner, now, dt.timedelta(hours=4))["deadlines"] == expected, hours


def test_the_navigation_bar_still_costs_one_query(owner, five_kinds):
    with CaptureQueriesContext(connection) as captured:
        nav_counts(owner, T0, dt.timedelta(hours=4))
    assert len(captured) == 1


def test_the_board_costs_the_same_with_many_cases(owner, owner_client, platform_case):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("disputes:deadline_board")).status_code == 200
        return len(captured)

    _deadline(platform_case, 30)
    few = count()
    for n in range(30):
        case = CaseFactory(project__client__owner=owner, stage="legal")
        _deadline(case, 40 + n, title=f"Deadline {n}")
        MilestoneFactory(project=case.project, due_date=dt.date.today() + dt.timedelta(days=n))
    assert count() == few


def test_the_board_is_paginated(owner, owner_client, platform_case, settings):
    for n in range(settings.PAGE_SIZE + 5):
        _deadline(platform_case, 30 + n, title=f"Deadline {n:02d}")
    last = f"Deadline {settings.PAGE_SIZE + 4:02d}".encode()
    first = owner_client.get(reverse("disputes:deadline_board"))
    assert first.content.count(b'data-testid="deadline-row"') == settings.PAGE_SIZE and b"page=2" in first.content
    second = owner_client.get(reverse("disputes:deadline_board") + "?page=2")
    assert second.content.count(b'data-testid="deadline-row"') == 5 and last in second.content
    assert last not in first.content


def test_an_empty_board_says_what_appears_there(owner_client):
    response = owner_client.get(reverse("disputes:deadline_board"))
    assert b"No open deadlines" in response.content


def test_the_board_shows_times_in_my_zone_and_colours_by_state(owner, owner_client, platform_case):
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])
    with time_machine.travel(T0, tick=False):
        _deadline(platform_case, 10, title="Soon")
        _deadline(platform_case, 100, title="Later")
    with time_machine.travel(T0 + dt.timedelta(hours=11), tick=False):
        html = owner_client.get(reverse("disputes:deadline_board")).content.decode()
    assert "Tue 2 Jun 2026, 04:00" in html  # 19:00 UTC in Tokyo
    assert 'class="deadline-missed"' in html and "Missed 1 h ago" in html
    assert 'class="deadline-upcoming"' in html


# --- The calendar feed ---------------------------------------------------------------------------
def _feed(client, token) -> icalendar.Calendar:
    response = client.get(reverse("disputes:calendar_ics", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_feed_has_every_deadline_with_an_alarm_and_follows_changes(owner, platform_case, client):
    token = feed_issue(user=owner)
    deadline = _deadline(platform_case, 30, title="Send evidence")
    events = _feed(client, token).walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["Platform: Send evidence"]
    [event] = events
    assert event.decoded("dtend") == deadline.due_at.replace(microsecond=0)
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(hours=24) and str(alarm["action"]) == "DISPLAY"
    uid = str(event["uid"])

    later = deadline.due_at + dt.timedelta(days=2)
    deadline_move(deadline=deadline, actor=owner, due_at=later, reason="Extended")
    [moved] = _feed(client, token).walk("VEVENT")
    assert str(moved["uid"]) == uid and moved.decoded("dtend") == later.replace(microsecond=0)

    deadline_met(deadline=deadline, actor=owner)
    assert _feed(client, token).walk("VEVENT") == []


def test_the_feed_is_in_its_owners_language_whatever_the_calendar_app_asks_for(owner, platform_case, client):
    User.objects.filter(pk=owner.pk).update(language="de")
    owner.refresh_from_db()
    token = feed_issue(user=owner)
    _deadline(platform_case, 30, title="Belege senden", owed_by="body")
    response = client.get(reverse("disputes:calendar_ics", args=[token]), HTTP_ACCEPT_LANGUAGE="en")
    feed = icalendar.Calendar.from_ical(response.content)
    [event] = feed.walk("VEVENT")
    assert str(feed["x-wr-calname"]) == "Settle-Fristen"
    assert str(event["summary"]) == "Plattform: Belege senden"
    assert "Wer sie schuldet: Die Plattform oder Stelle" in str(event["description"])
    [alarm] = event.walk("VALARM")
    assert str(alarm["description"]) == "Fällig in 24 Stunden: Belege senden"


def test_only_a_hash_of_the_feed_secret_is_kept(owner):
    token = feed_issue(user=owner)
    feed = CalendarFeed.objects.get(user=owner)
    assert token not in feed.token_sha256 and len(feed.token_sha256) == 64


def test_a_replaced_or_revoked_address_stops_working(owner, client):
    old = feed_issue(user=owner)
    new = feed_issue(user=owner)
    assert client.get(reverse("disputes:calendar_ics", args=[old])).status_code == 404
    assert client.get(reverse("disputes:calendar_ics", args=[new])).status_code == 200
    assert feed_revoke(user=owner) is True
    assert client.get(reverse("disputes:calendar_ics", args=[new])).status_code == 404
    assert client.get(reverse("disputes:calendar_ics", args=["guessed"])).status_code == 404


def test_the_feed_holds_only_its_owners_deadlines(owner, outsider, platform_case, client):
    _deadline(platform_case, 30, title="Mine")
    theirs = CaseFactory(project__client__owner=outsider, stage="legal")
    _deadline(theirs, 30, title="Theirs")
    summaries = [str(e["summary"]) for e in _feed(client, feed_issue(user=outsider)).walk("VEVENT")]
    assert summaries == ["Platform: Theirs"]


def test_the_feed_page_shows_a_new_address_once(owner_client, owner):
    response = owner_client.post(reverse("disputes:calendar_feed"), {"action": "issue"})
    assert response.status_code == 200 and b"Copy it now" in response.content
    again = owner_client.get(reverse("disputes:calendar_feed"))
    assert b"Copy it now" not in again.content and b"An address is active" in again.content
    owner_client.post(reverse("disputes:calendar_feed"), {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=owner).exists()


# --- The case's pages ---------------------------------------------------------------------------
def test_a_deadline_picked_from_the_catalogue_counts_days_from_the_notice(owner_client, owner, platform_case):
    template = DeadlineTemplate.objects.get(owner=None, title="Send evidence to the platform")
    notice = timezone.localdate()
    response = owner_client.post(
        reverse("disputes:case_deadlines", args=[platform_case.pk]),
        {"template": template.pk, "notice_on": notice.isoformat(), "owed_by": ""},
    )
    assert response.status_code == 302
    deadline = Deadline.objects.get()
    assert deadline.title == template.title and deadline.owed_by == template.owed_by
    end = dt.datetime.combine(notice + dt.timedelta(days=template.days + 1), dt.time(0), tzinfo=dt.UTC)
    assert deadline.due_at == end


def test_a_bad_due_time_is_explained_and_the_input_kept(owner_client, platform_case):
    response = owner_client.post(
        reverse("disputes:case_deadlines", args=[platform_case.pk]),
        {"title": "Answer the chargeback", "due_at": "2020-01-01T10:00", "owed_by": "me"},
    )
    assert response.status_code == 400
    assert b"already passed" in response.content and b'value="Answer the chargeback"' in response.content
    assert not Deadline.objects.exists()


def test_neither_typed_nor_picked_asks_for_both(owner_client, platform_case):
    response = owner_client.post(reverse("disputes:case_deadlines", args=[platform_case.pk]), {"owed_by": "me"})
    assert response.status_code == 400 and b"Say what is due" in response.content


def test_a_ticket_link_must_be_a_web_address(owner_client, platform_case):
    response = owner_client.post(
        reverse("disputes:ticket_add", args=[platform_case.pk]), {"body": "Upwork", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_the_case_page_shows_its_deadlines_at_the_top(owner_client, platform_case):
    _deadline(platform_case, 30, title="Send evidence")
    html = owner_client.get(platform_case.get_absolute_url()).content.decode()
    assert 'data-testid="deadline-strip"' in html and "Send evidence" in html
    assert html.index('data-testid="deadline-strip"') < html.index('id="ladder"')


def test_a_case_below_platform_support_offers_no_ticket_form(owner_client, owner):
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    html = owner_client.get(reverse("disputes:case_deadlines", args=[case.pk])).content.decode()
    assert "move it up the ladder" in html and "Record the ticket" not in html


def test_my_catalogue_entries_can_be_deleted_and_the_shared_ones_not(owner_client, owner, outsider):
    response = owner_client.post(
        reverse("disputes:deadline_templates"), {"title": "Etsy case answer", "days": 3, "owed_by": "me"}
    )
    assert response.status_code == 302
    mine = DeadlineTemplate.objects.get(owner=owner)
    shared = DeadlineTemplate.objects.filter(owner=None).first()
    assert owner_client.post(reverse("disputes:deadline_template_delete", args=[shared.pk])).status_code == 404
    with pytest.raises(ValidationError):
        template_delete(template=mine, owner=outsider)
    assert owner_client.post(reverse("disputes:deadline_template_delete", args=[mine.pk])).status_code == 302
    assert not DeadlineTemplate.objects.filter(owner=owner).exists()
    assert DeadlineTemplate.objects.filter(owner=None).count() >= 5


def test_catalogue_days_out_of_range_are_refused(owner_client):
    response = owner_client.post(reverse("disputes:deadline_templates"), {"title": "x", "days": 0, "owed_by": "me"})
    assert response.status_code == 400 and b"Between 1 day and three years" in response.content


def test_staff_see_an_escalated_cases_outside_deadlines(platform_case, staff, client):
    _deadline(platform_case, 30, title="Send evidence to Upwork")
    client.force_login(staff)
    html = client.get(reverse("disputes:staff_case", args=[platform_case.pk])).content.decode()
    assert 'data-testid="staff-deadlines"' in html and "Send evidence to Upwork" in html
