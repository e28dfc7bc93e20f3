"""Lost races, service by service: the loser changes nothing wrong and gets an answer, never a crash.

Two kinds of test. A stale copy (a page opened before someone else acted)
runs everywhere: the service must read the stored row, not the copy it was
handed. Real threads racing on PostgreSQL check what only a database can
decide (locks, unique constraints, conditional updates). Races on
`case_move`, `letter_finalize`, `agreement_create`, `mediator_accept`, the
sweep and the form keys are in their own modules' tests.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from disputes.models import (
    Case,
    Concern,
    Letter,
    MediatorAccess,
    MediatorInvitation,
    Milestone,
    Notification,
    Project,
    Review,
    ReviewAction,
    SettlementProposal,
    TimelineEntry,
)
from disputes.services.cases import case_move, case_open
from disputes.services.letters import letter_defaults, letter_discard, letter_draft, letter_finalize, letter_update
from disputes.services.mediation import (
    invitation_revoke,
    mediator_accept,
    mediator_invite,
    mediator_revoke,
    settlement_answer,
    settlement_propose,
)
from disputes.services.projects import milestone_add, project_update
from disputes.services.review import review_close, review_decide, review_note
from disputes.services.sweep import sweep_run
from disputes.services.timeline import concern_dismiss, entry_add, entry_correct
from tests.factories import CaseFactory, MilestoneFactory, ProjectFactory, UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def race(*calls) -> list:
    """Run each call in its own thread, all released at once; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def refused(outcomes) -> list:
    return [o for o in outcomes if isinstance(o, Exception)]


# --- Stale copies: everywhere -----------------------------------------------------------
def test_a_stale_draft_cannot_be_edited_after_it_was_finalised(owner):
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=case.project)
    draft = letter_draft(case=case, author=owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    stale = Letter.objects.get(pk=draft.pk)
    letter_finalize(letter=draft, actor=owner)
    with pytest.raises(ValidationError, match="Only a draft"):
        letter_update(letter=stale, author=owner, data={"subject": "Changed after sending"})
    with pytest.raises(ValidationError, match="Only a draft"):
        letter_discard(letter=stale, actor=owner)
    assert Letter.objects.get(pk=draft.pk).subject.startswith("Payment demand")


def test_a_stale_page_cannot_invite_a_mediator_after_the_case_moved_on(owner):
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    stale = Case.objects.get(pk=case.pk)
    case_move(case=case, actor=owner, move="escalate", reason="To court")
    with pytest.raises(ValidationError, match="mediation rung"):
        mediator_invite(case=stale, owner=owner, email="late@example.com")
    assert not MediatorInvitation.objects.exists() and not Notification.objects.exists()


def test_revoking_twice_changes_nothing_the_second_time(owner):
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    mediator = UserFactory()
    unused, _ = mediator_invite(case=case, owner=owner, email="unused@example.com")
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    access = mediator_accept(token=token, user=mediator)
    assert invitation_revoke(invitation=unused, owner=owner) is True
    assert invitation_revoke(invitation=unused, owner=owner) is False
    first_revoked = MediatorInvitation.objects.get(pk=unused.pk).revoked_at
    assert mediator_revoke(access=access, owner=owner) is True
    assert mediator_revoke(access=MediatorAccess.objects.get(pk=access.pk), owner=owner) is False
    assert MediatorInvitation.objects.get(pk=unused.pk).revoked_at == first_revoked


def test_staff_acting_on_a_review_another_staff_member_closed(owner):
    staff, other = UserFactory(is_staff=True), UserFactory(is_staff=True)
    case = case_move(case=CaseFactory(project__client__owner=owner), actor=owner, move="fast_track", reason="x",
                     ground="fraud")  # fmt: skip
    review = Review.objects.get(case=case)
    stale = Review.objects.get(pk=review.pk)
    review_close(review=review, actor=other, reason="Settled")
    for act in (
        lambda: review_note(review=stale, actor=staff, body="late", visible=True),
        lambda: review_decide(review=stale, actor=staff, recommendation="no_action", reasons="late"),
        lambda: review_close(review=stale, actor=staff),
    ):
        with pytest.raises(ValidationError, match="closed"):
            act()
    assert list(ReviewAction.objects.values_list("kind", flat=True)) == ["closed"]
    assert not TimelineEntry.objects.filter(kind__in=["staff_note", "staff_decision"]).exists()


def test_a_mediator_revoked_while_writing_a_proposal_is_refused(owner):
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    mediator = UserFactory()
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    access = mediator_accept(token=token, user=mediator)
    mediator_revoke(access=access, owner=owner)
    with pytest.raises(ValidationError, match="no longer have access"):
        settlement_propose(case=case, mediator=mediator, amount=Decimal("5"), terms="x", deadline=timezone.localdate())
    assert not SettlementProposal.objects.exists()


def test_a_stale_project_copy_cannot_change_the_currency_under_a_new_milestone(owner):
    project = ProjectFactory(client__owner=owner, currency="EUR")
    stale = Project.objects.get(pk=project.pk)
    milestone_add(project=project, actor=owner, title="Half", amount=Decimal("100"))
    with pytest.raises(ValidationError, match="cannot change"):
        project_update(project=stale, actor=owner, data={"currency": "USD"})
    assert Project.objects.get(pk=project.pk).currency == "EUR"


def test_a_case_opened_from_a_stale_project_copy_takes_the_stored_currency(owner):
    project = ProjectFactory(client__owner=owner, currency="EUR")
    stale = Project.objects.get(pk=project.pk)
    project_update(project=project, actor=owner, data={"currency": "CHF"})
    case = case_open(owner=owner, project=stale, data={"title": "x", "kind": "billing"})
    assert case.currency == "CHF"


# --- Threads on PostgreSQL --------------------------------------------------------------
pg = pytest.mark.django_db(transaction=True)


@pg
def test_two_messages_saved_at_once_both_count_on_the_clock():
    require_postgres()
    owner = UserFactory()
    case = CaseFactory(project__client__owner=owner)
    t0 = timezone.now() - dt.timedelta(hours=2)
    outcomes = race(
        *(
            lambda i=i: entry_add(
                case=case,
                author=owner,
                kind="message_in",
                channel="email",
                body=f"Message {i}",
                happened_at=t0 + dt.timedelta(minutes=i),
            )
            for i in range(4)
        )
    )
    assert refused(outcomes) == []
    assert Concern.objects.filter(case=case, state="open").count() == 4
    assert Case.objects.get(pk=case.pk).response_due_at == t0 + dt.timedelta(hours=24)


@pg
def test_two_corrections_of_one_entry_at_once_one_wins_the_other_is_told():
    require_postgres()
    owner = UserFactory()
    original = entry_add(case=CaseFactory(project__client__owner=owner), author=owner, kind="note", body="v1")
    outcomes = race(
        *(lambda i=i: entry_correct(original=original, author=owner, body=f"v2 from {i}") for i in range(3))
    )
    losers = refused(outcomes)
    assert len(losers) == 2 and all("already been corrected" in str(e) for e in losers)
    assert TimelineEntry.objects.filter(corrects=original).count() == 1


@pg
def test_no_answer_needed_twice_at_once_records_one():
    require_postgres()
    owner = UserFactory()
    case = CaseFactory(project__client__owner=owner)
    message = entry_add(case=case, author=owner, kind="message_in", channel="email", body="Thanks!")
    outcomes = race(*(lambda: concern_dismiss(message=message, author=owner, reason="Only thanks") for _ in range(3)))
    assert len(refused(outcomes)) == 2
    assert TimelineEntry.objects.filter(kind="no_answer_needed").count() == 1
    assert Concern.objects.get(message=message).state == "not_needed"


@pg
def test_two_drafts_superseding_one_letter_at_once_one_is_kept():
    require_postgres()
    owner = UserFactory()
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=case.project)
    data = letter_defaults(case=case, kind="demand")
    first = letter_finalize(letter=letter_draft(case=case, author=owner, kind="demand", data=data), actor=owner)
    outcomes = race(
        *(lambda: letter_draft(case=case, author=owner, kind="demand", data=data, supersedes=first) for _ in range(3))
    )
    losers = refused(outcomes)
    assert len(losers) == 2 and all("already a draft replacing" in str(e) for e in losers)
    assert Letter.objects.filter(supersedes=first).count() == 1


@pg
def test_a_settlement_answered_twice_at_once_is_answered_once():
    require_postgres()
    owner, mediator = UserFactory(), UserFactory()
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    proposal = settlement_propose(
        case=case, mediator=mediator, amount=Decimal("5"), terms="x", deadline=timezone.localdate()
    )
    outcomes = race(
        lambda: settlement_answer(proposal=proposal, owner=owner, accept=True),
        lambda: settlement_answer(proposal=proposal, owner=owner, accept=False),
    )
    assert len(refused(outcomes)) == 1
    assert TimelineEntry.objects.filter(kind="settlement_answer").count() == 1


@pg
def test_a_currency_change_racing_a_new_milestone_never_relabels_it():
    require_postgres()
    owner = UserFactory()
    project = ProjectFactory(client__owner=owner, currency="EUR")
    outcomes = race(
        lambda: project_update(project=project, actor=owner, data={"currency": "USD"}),
        lambda: milestone_add(project=project, actor=owner, title="Half", amount=Decimal("100")),
    )
    currency = Project.objects.get(pk=project.pk).currency
    # Either the milestone came first (the change is refused) or the change did (the plan starts in USD).
    assert (currency, len(refused(outcomes))) in (("EUR", 1), ("USD", 0))
    assert Milestone.objects.filter(project=project).count() == 1


@pg
def test_parallel_sweeps_flag_a_letter_deadline_once_and_email_once(mailoutbox):
    require_postgres()
    owner = UserFactory(time_zone="UTC")
    case = CaseFactory(project__client__owner=owner, stage="reminders")
    MilestoneFactory(project=case.project)
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        data = letter_defaults(case=case, kind="demand")
        letter = letter_finalize(letter=letter_draft(case=case, author=owner, kind="demand", data=data), actor=owner)
    later = letter.deadline_at + dt.timedelta(minutes=1)
    outcomes = race(*(lambda: sweep_run(now=later) for _ in range(5)))
    assert refused(outcomes) == []
    assert sum(result.letters.flagged for result in outcomes) == 1
    assert Notification.objects.filter(key=f"letter-deadline:{letter.pk}", status="sent").count() == 1
    assert len([m for m in mailoutbox if "deadline passed" in m.subject]) == 1
