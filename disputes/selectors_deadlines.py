"""Every open deadline of a user, from wherever it is kept, soonest first.

Five kinds: our answer to the client (the response clock), a formal letter's payment deadline,
a mediator's settlement proposal, a milestone's due date, and an outside deadline (a platform's
or a body's). Each kind is one query read through its own index, ordered by due time and cut at
what the page needs, and the five are merged in Python: a page costs five short reads whatever
the number of cases. Dates without a time (a letter's, a proposal's, a milestone's) fall due at
the end of that day where the freelancer is (rules.deadlines.deadline_passes_at).
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.links import link
from disputes.models import Case, Client, Deadline, Letter, Milestone, Project, SettlementProposal
from disputes.rules import deadlines as rules

KINDS = {
    "answer": _("Our answer"),
    "letter": _("Letter"),
    "settlement": _("Settlement"),
    "milestone": _("Milestone"),
    "platform": _("Platform"),
}
OWED_BY = dict(Deadline.OwedBy.choices)


@dataclass(frozen=True)
class Item:
    kind: str
    due_at: datetime.datetime
    title: str
    url: str
    where: str  # the case's or project's title
    owed_by: str
    pk: int = 0

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    def state(self, now: datetime.datetime) -> str:
        return rules.deadline_state(self.due_at, now)


def _end_of(day: datetime.date, zone: str) -> datetime.datetime:
    return rules.deadline_passes_at(day, zone)


def _sources(user, zone: str, limit: int) -> list:
    """One iterator of Items per kind, each in due order and at most `limit` long."""
    answers = Case.objects.filter(
        owner=user, status=Case.Status.OPEN, shelved=False, response_due_at__isnull=False,
    ).order_by("response_due_at", "id")  # fmt: skip
    # The others are read by their own owner index, their case joined by its key: a user's open
    # letters, proposals and deadlines are few, their open cases may be thousands.
    listed = {"case__status": Case.Status.OPEN, "case__shelved": False}
    letters = Letter.objects.filter(
        owner=user, status=Letter.Status.FINAL, paid_at__isnull=True, superseded_at__isnull=True,
        deadline_at__isnull=False, **listed,
    ).order_by("deadline_at", "id")  # fmt: skip
    proposals = SettlementProposal.objects.filter(
        owner=user, status=SettlementProposal.Status.PROPOSED, **listed
    ).order_by("deadline", "id")
    milestones = Milestone.objects.filter(
        project__owner=user, paid_on__isnull=True, due_date__isnull=False,
        project__archived_at__isnull=True, project__client__archived_at__isnull=True,
    ).order_by("due_date", "id")  # fmt: skip
    outside = Deadline.objects.filter(owner=user, met_at__isnull=True, **listed).order_by("due_at", "id")
    case_url = lambda pk: link("disputes:case_detail", pk)  # noqa: E731
    return [
        (
            Item("answer", due, _("Answer the client"), case_url(pk) + "#add-entry", title, OWED_BY["me"], pk)
            for pk, title, due in answers.values_list("pk", "title", "response_due_at")[:limit]
        ),
        (
            Item("letter", due, _("Payment asked for in “%(subject)s”") % {"subject": subject},
                 link("disputes:letter_detail", case_id, pk), title, OWED_BY["client"], pk)
            for pk, case_id, title, subject, due in letters.values_list(
                "pk", "case_id", "case__title", "subject", "deadline_at")[:limit]
        ),
        (
            Item("settlement", _end_of(day, zone), _("Answer the mediator's proposal"), case_url(case_id) + "#timeline",
                 title, OWED_BY["me"], pk)
            for pk, case_id, title, day in proposals.values_list("pk", "case_id", "case__title", "deadline")[:limit]
        ),
        (
            Item("milestone", _end_of(day, zone), _("Payment: %(name)s") % {"name": name},
                 link("disputes:project_detail", project_id), project, OWED_BY["client"], pk)
            for pk, project_id, project, name, day in milestones.values_list(
                "pk", "project_id", "project__title", "title", "due_date")[:limit]
        ),
        (
            Item("platform", due, name, link("disputes:case_deadlines", case_id), title, OWED_BY[owed], pk)
            for pk, case_id, title, name, owed, due in outside.values_list(
                "pk", "case_id", "case__title", "title", "owed_by", "due_at")[:limit]
        ),
    ]  # fmt: skip


def case_strip(view, zone: str, now: datetime.datetime) -> list[tuple[Item, str, datetime.timedelta]]:
    """A case's own open deadlines for the top of its page, soonest first, from what the case page
    already loaded (selectors.case_view): no query of its own."""
    case = view.case
    items = []
    if case.status == Case.Status.OPEN and case.response_due_at:
        items.append(
            Item("answer", case.response_due_at, _("Answer the client"), "#add-entry", case.title, OWED_BY["me"])
        )
    for letter in view.letters:
        if letter.is_final and letter.deadline_at and not letter.paid_at and not letter.superseded_at:
            words = _("Payment asked for in “%(subject)s”") % {"subject": letter.subject}
            items.append(Item("letter", letter.deadline_at, words, link("disputes:letter_detail", case.pk, letter.pk),
                              case.title, OWED_BY["client"], letter.pk))  # fmt: skip
    for proposal in view.proposals:
        if proposal.status == SettlementProposal.Status.PROPOSED:
            items.append(Item("settlement", _end_of(proposal.deadline, zone), _("Answer the mediator's proposal"),
                              "#timeline", case.title, OWED_BY["me"], proposal.pk))  # fmt: skip
    for deadline in view.outside_deadlines:
        items.append(Item("platform", deadline.due_at, deadline.title, link("disputes:case_deadlines", case.pk),
                          case.title, OWED_BY[deadline.owed_by], deadline.pk))  # fmt: skip
    items.sort(key=lambda item: (item.due_at, item.kind, item.pk))
    return [(item, item.state(now), item.due_at - now) for item in items]


def board_items(user, limit: int) -> list[Item]:
    """The user's first `limit` open deadlines, soonest first."""
    merged = heapq.merge(*_sources(user, user.time_zone, limit), key=lambda item: (item.due_at, item.kind, item.pk))
    return list(itertools.islice(merged, limit))


class BoardPage:
    """One page of the board, in the shape templates/includes/pagination.html reads."""

    def __init__(self, user, number: int, per_page: int | None = None):
        per_page = per_page or settings.PAGE_SIZE
        self.number = number
        items = board_items(user, number * per_page + 1)
        self.object_list = items[(number - 1) * per_page : number * per_page]
        self.has_next = len(items) > number * per_page
        self.has_previous = number > 1
        self.paginator = type("Unnumbered", (), {"num_pages": None})

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def deadline_counts_sql(user, now: datetime.datetime, cap: int | None = None) -> tuple[list[str], list]:
    """COUNT subqueries for the navigation bar's one query (selectors_nav.nav_counts): the user's
    letter, settlement, milestone and outside deadlines that have passed or fall due within
    rules.deadlines.DUE_SOON. Our own answer has its own counts. Written as SQL, like the clock
    counts, and held to `board_items` by tests/disputes/test_deadlines.py."""
    at = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    soon = now + rules.DUE_SOON
    # A date falls due at the end of its day: it is due by `soon` when it is before soon's local date.
    soon_day = timezone.localtime(soon, ZoneInfo(user.time_zone)).date()
    case, client, project = (m._meta.db_table for m in (Case, Client, Project))
    letter, proposal, milestone, outside = (m._meta.db_table for m in (Letter, SettlementProposal, Milestone, Deadline))
    # From the user's own rows (x.owner_id, each table's owner index), the case joined by its key.
    listed = f"JOIN {case} c ON c.id = x.case_id WHERE x.owner_id = %s AND c.status = 'open' AND NOT c.shelved"
    parts = [
        f"SELECT 1 FROM {letter} x {listed} AND x.status = 'final' AND x.paid_at IS NULL"  # noqa: S608
        " AND x.superseded_at IS NULL AND x.deadline_at <= %s",
        f"SELECT 1 FROM {proposal} x {listed} AND x.status = 'proposed' AND x.deadline < %s",  # noqa: S608
        f"SELECT 1 FROM {outside} x {listed} AND x.met_at IS NULL AND x.due_at <= %s",  # noqa: S608
        f"SELECT 1 FROM {milestone} x JOIN {project} p ON p.id = x.project_id"  # noqa: S608
        f" JOIN {client} k ON k.id = p.client_id WHERE p.owner_id = %s AND x.paid_on IS NULL"
        " AND x.due_date < %s AND p.archived_at IS NULL AND k.archived_at IS NULL",
    ]
    params = [user.pk, at(soon), user.pk, day(soon_day), user.pk, at(soon), user.pk, day(soon_day)]
    # Each kind read up to `cap` rows (`cap=None`: all of them, for the checks that compare with the board).
    capped = [f"SELECT COUNT(*) FROM ({part}{f' LIMIT {int(cap)}' if cap else ''}) z" for part in parts]  # noqa: S608
    return [" + ".join(f"({part})" for part in capped)], params
