"""What Settle writes on a case's timeline is in the case owner's language and time zone.

An entry is part of the hash chain and never changes, so it is written once, for the owner: not in
the language of whoever's request wrote it (a mediator's, a staff member's), and not in English
because a sweep wrote it with no request at all.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from disputes.models import Case, TimelineEntry
from disputes.services.cases import case_move, case_open
from disputes.services.deadlines import deadline_add, deadline_met, deadline_move, ticket_add
from disputes.services.offers import offer_make, offers_expire
from disputes.services.projects import project_work_resume, project_work_stop
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bodies(case: Case) -> list[str]:
    return list(TimelineEntry.objects.filter(case=case).order_by("sequence").values_list("body", flat=True))


@pytest.fixture
def german_owner():
    return UserFactory(language="de", time_zone="Europe/Berlin")


@pytest.fixture
def german_case(german_owner):
    project = ProjectFactory(owner=german_owner, client__owner=german_owner, currency="EUR")
    with translation.override("en"):  # an English request: the record still follows the owner
        return case_open(owner=german_owner, project=project, data={"title": "Logo", "kind": "billing",
                                                                     "amount_in_dispute": Decimal("1600")})  # fmt: skip


def test_a_german_owners_record_is_german_whatever_language_the_request_was_in(german_owner, german_case):
    with translation.override("en"):
        case_move(case=german_case, actor=german_owner, move="fast_track", ground="fraud", reason="Betrug.")
        ticket_add(case=german_case, actor=german_owner, body="Upwork", reference="T-1")
        due = dt.datetime(2027, 3, 1, 16, 30, tzinfo=dt.UTC)
        deadline = deadline_add(case=german_case, actor=german_owner, title="Antwort", due_at=due, owed_by="body")
        deadline = deadline_move(deadline=deadline, actor=german_owner, due_at=due + dt.timedelta(days=2),
                                 reason="Verlängert")  # fmt: skip
        deadline_met(deadline=deadline, actor=german_owner)
    bodies = _bodies(german_case)
    assert bodies[0] == "Fall eröffnet."
    assert any(body.startswith("Akte versiegelt beim Erreichen der Stufe Plattform-Support: Einträge 1 bis")
               for body in bodies), bodies  # fmt: skip
    assert "Ticket erfasst bei Upwork, Aktenzeichen T-1." in bodies
    # Times in the owner's zone (16:30 UTC is 17:30 in Berlin in March), months in German ("Mär").
    assert "Frist gesetzt: Antwort, fällig von der Plattform oder Stelle bis 1. Mär 2027, 17:30 CET." in bodies, bodies
    assert (
        "Frist verschoben: Antwort, von 1. Mär 2027, 17:30 CET auf 3. Mär 2027, 17:30 CET. Grund: Verlängert" in bodies
    )
    assert "Frist eingehalten: Antwort (fällig war 3. Mär 2027, 17:30 CET)." in bodies
    assert not any("Deadline" in body or "Record sealed" in body for body in bodies)


def test_offers_written_by_a_sweep_with_no_request_are_in_the_owners_language(german_owner, german_case):
    today = timezone.localdate()
    with translation.override("en"):
        offer, _ = offer_make(
            case=german_case, actor=german_owner, side="freelancer", amount=Decimal("1200"), currency="EUR",
            terms="Zahlung in zwei Raten.", expires_on=today + dt.timedelta(days=3),
        )  # fmt: skip
    made = TimelineEntry.objects.get(case=german_case, kind=TimelineEntry.Kind.OFFER).body
    assert made.startswith("Ihr Angebot: 1.200,00 EUR, gültig bis "), made
    assert made.endswith("\n\nZahlung in zwei Raten.")
    translation.deactivate_all()  # the sweep runs with no language at all
    assert offers_expire(now=offer.expires_at + dt.timedelta(seconds=1)) == 1
    ended = TimelineEntry.objects.get(case=german_case, kind=TimelineEntry.Kind.OFFER_ANSWER).body
    assert ended == "Das Angebot über 1.200,00 EUR ist ohne Antwort abgelaufen."


def test_counted_days_take_the_owners_plural(german_owner, german_case):
    project = german_case.project
    stopped = timezone.now() - dt.timedelta(days=3)
    project_work_stop(project=project, actor=german_owner, reason="", now=stopped)
    project_work_resume(project=project, actor=german_owner, now=stopped + dt.timedelta(days=1, hours=2))
    project_work_stop(
        project=project, actor=german_owner, reason="Rechnung offen", now=stopped + dt.timedelta(days=1, hours=3)
    )
    project_work_resume(project=project, actor=german_owner, now=stopped + dt.timedelta(days=3, hours=4))
    title = project.title
    assert _bodies(german_case)[1:] == [
        f"Arbeit an „{title}“ bis zur Zahlung eingestellt.",
        f"Arbeit an „{title}“ wieder aufgenommen, 1 Tag nach dem Stopp.",
        f"Arbeit an „{title}“ bis zur Zahlung eingestellt. Rechnung offen",
        f"Arbeit an „{title}“ wieder aufgenommen, 2 Tage nach dem Stopp.",
    ]


def test_an_english_owners_record_stays_english_when_the_request_is_german(owner):
    project = ProjectFactory(owner=owner, client__owner=owner)
    with translation.override("de"):
        case = case_open(owner=owner, project=project, data={"title": "Logo", "kind": "billing",
                                                             "amount_in_dispute": Decimal("100")})  # fmt: skip
        project_work_stop(project=project, actor=owner, reason="")
    assert _bodies(case) == ["Case opened.", f"Work on “{project.title}” stopped until paid."]


def test_the_sweeps_e_mails_to_a_german_owner_have_german_subjects(german_owner, german_case):
    from disputes.models import Notification
    from disputes.services.projects import milestones_flag_overdue
    from tests.factories import MilestoneFactory

    MilestoneFactory(project=german_case.project, due_date=timezone.localdate() - dt.timedelta(days=3))
    translation.deactivate_all()  # the sweep runs with no language at all
    assert milestones_flag_overdue(now=timezone.now()) == 1
    assert Notification.objects.get(user=german_owner).subject == "Settle: Eine Zahlung ist überfällig"
