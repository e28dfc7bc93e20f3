"""The counts every page runs read the user's own rows by their indexes, never every open case.

A user with thousands of open cases and two letters must pay for two letters: the letter,
proposal and outside-deadline counts start from the table's owner index and join the case by its
key. Checked in SQLite's own plan; on PostgreSQL a plan over a handful of test rows is no
evidence either way (its planner may start from either table there), so there the statement
itself is checked to filter the row's owner and not the case's."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from disputes.models import Letter, SettlementProposal
from disputes.selectors_deadlines import deadline_counts_sql
from disputes.services.letters import letter_defaults, letter_draft
from disputes.services.mediation import mediator_accept, mediator_invite, settlement_propose
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

OWNER_INDEXES = ("letter_owner_deadline_open", "proposal_owner_waiting", "deadline_owner_open")


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _parts(user):
    """The count's subqueries one by one, each with its own parameters."""
    (sql,), params = deadline_counts_sql(user, timezone.now())
    for part in sql.split(" + "):
        count = part.count("%s")
        yield "SELECT " + part, params[:count]
        params = params[count:]


def test_each_deadline_count_starts_from_its_owner_index(owner):
    for _ in range(3):
        CaseFactory(project__client__owner=owner)
    parts = list(_parts(owner))
    if connection.vendor != "sqlite":
        for sql, _ in parts[:3]:
            assert "x.owner_id = %s" in sql and "c.owner_id" not in sql, sql
        return
    letters, proposals, outside, milestones = (_plan(sql, params) for sql, params in parts)
    for plan, index in zip((letters, proposals, outside), OWNER_INDEXES, strict=True):
        assert index in plan, plan
        # The case only by its key: no walk over the owner's cases.
        assert "disputes_case_owner" not in plan and "case_owner" not in plan, plan
    assert "disputes_milestone" in milestones


def test_letters_and_proposals_carry_their_cases_owner(owner):
    """Starting from the row's owner is only right if it is always the case's: the services set it,
    whoever writes the row (a mediator proposes a settlement on the freelancer's case)."""
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    letter = letter_draft(case=case, author=owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    mediator = UserFactory(email="mediator@example.com")
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    proposal = settlement_propose(
        case=case, mediator=mediator, amount=Decimal("100"), terms="Half now",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    assert Letter.objects.get(pk=letter.pk).owner == owner
    assert SettlementProposal.objects.get(pk=proposal.pk).owner == owner


def test_the_case_list_reads_listed_and_archived_cases_by_their_partial_indexes(owner):
    """The rungs' counts come from the listed cases' index alone (no project or client joined to
    test whether they are archived), and the archive from its own index, newest first."""
    from disputes.models import Case

    for _ in range(3):
        CaseFactory(project__client__owner=owner)
    Case.objects.filter(pk=CaseFactory(project__client__owner=owner).pk).update(archived_at=timezone.now())
    mine = Case.objects.for_owner(owner)
    counts = mine.listed().order_by().values("stage")[:1001].query.sql_with_params()
    archive = mine.archived().order_by("-opened_at", "-id").values("pk")[:26].query.sql_with_params()
    for sql, _ in (counts, archive):
        assert "shelved" in sql and "disputes_project" not in sql and "disputes_client" not in sql, sql
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as the nightly job keeps them
    # Either listed-cases index holds every column the count reads.
    assert re.search(r"COVERING INDEX case_owner_(client_)?listed\b", _plan(*counts)), _plan(*counts)
    assert "INDEX case_owner_shelved" in _plan(*archive), _plan(*archive)
    # Filtered by client (and kind, and rung): that client's listed cases, from one index alone.
    client_id = mine.values_list("client_id", flat=True).first()
    by_client = mine.listed().filter(client_id=client_id, kind="billing")
    counts = by_client.order_by().values("stage")[:1001].query.sql_with_params()
    page = by_client.filter(stage="direct_talk").order_by("-opened_at", "-id").values("pk")[:26]
    for sql, params in (counts, page.query.sql_with_params()):
        assert "COVERING INDEX case_owner_client_listed" in _plan(sql, params), _plan(sql, params)
