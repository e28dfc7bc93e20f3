"""The case page asks once whether a case has offers, letters, edits, milestones and agreements, and
skips the queries for the lists it has nothing in. The answer has to be right each way: a list that
exists is never left off the page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case, Deadline, SettlementProposal, Ticket
from disputes.selectors import OWNER, STAFF, case_view, side_lists
from disputes.services.cases import case_update
from disputes.services.letters import letter_defaults, letter_discard, letter_draft
from disputes.services.offers import offer_make
from tests.factories import AgreementFactory, CaseFactory, EntryFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

NOTHING = {
    "proposals": False, "letters": False, "changes": False, "milestones": False, "agreements": False,
    "deadlines": False, "tickets": False, "client_messages": False, "offers": False,
}  # fmt: skip


def counted(case, viewer=OWNER):
    case = Case.objects.select_related("project", "client", "owner").get(pk=case.pk)
    with CaptureQueriesContext(connection) as captured:
        view = case_view(case, viewer=viewer)
    return view, len(captured)


def test_a_young_case_has_nothing_to_look_up_and_skips_those_queries(case):
    assert side_lists(case) == NOTHING
    view, young = counted(case)
    assert (view.proposals, view.letters, view.changes, view.milestones, view.agreements) == ([], [], [], [], [])

    # Give it one of each, on this case and its project.
    MilestoneFactory(project=case.project)
    AgreementFactory(project=case.project)
    case_update(case=case, actor=case.owner, data={"title": "Logo, second round"})
    letter_draft(case=case, author=case.owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    entry = EntryFactory(case=case, kind="settlement", body="Proposed settlement", amount=Decimal("100"))
    SettlementProposal.objects.create(
        case=case, owner=case.owner, mediator=case.owner, amount=Decimal("100"), currency=case.currency,
        terms="Half now", deadline=timezone.localdate() + dt.timedelta(days=7), created_at=timezone.now(), entry=entry,
    )  # fmt: skip
    now = timezone.now()
    ticket = Ticket.objects.create(case=case, body="Upwork", created_by=case.owner, created_at=now)
    Deadline.objects.create(owner=case.owner, case=case, ticket=ticket, title="Send evidence",
                            due_at=now + dt.timedelta(days=2), created_at=now, updated_at=now)  # fmt: skip
    EntryFactory(case=case, kind="message_in", body="Where is my logo?")  # read by the evidence checklist only
    offer_make(case=case, actor=case.owner, side="client", amount=Decimal("90"), currency=case.currency,
               terms="90 and done", expires_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    assert side_lists(case) == dict.fromkeys(NOTHING, True)
    view, grown = counted(case)
    assert len(view.proposals) == len(view.letters) == len(view.milestones) == len(view.agreements) == 1
    assert [change.new_value for change in view.changes] == ["Logo, second round"]
    assert [d.title for d in view.outside_deadlines] == ["Send evidence"] and view.has_tickets
    assert len(view.offers) == 1
    assert grown == young + 7  # the seven lists' own queries, nothing per row
    # Staff read the same lists, but never the owner's letters.
    staff_view, _ = counted(case, STAFF)
    assert len(staff_view.milestones) == 1 and staff_view.letters == []


def test_a_discarded_letter_is_looked_for_and_not_shown(case):
    letter = letter_draft(case=case, author=case.owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    letter_discard(letter=letter, actor=case.owner)
    assert side_lists(case)["letters"] is True
    assert counted(case)[0].letters == []


def test_another_case_or_project_lends_nothing(case):
    other = CaseFactory()
    MilestoneFactory(project=other.project)
    AgreementFactory(project=other.project)
    letter_draft(case=other, author=other.owner, kind="demand", data=letter_defaults(case=other, kind="demand"))
    case_update(case=other, actor=other.owner, data={"title": "Someone else's"})
    assert side_lists(case) == NOTHING
    # A second case on the same project shares the project's lists, not the first case's.
    sibling = CaseFactory(project=case.project)
    MilestoneFactory(project=case.project)
    case_update(case=sibling, actor=sibling.owner, data={"title": "Sibling"})
    assert side_lists(case) == {**NOTHING, "milestones": True}
