"""Reads that build whole pages: one path per page, shared by every viewer.

`case_view` builds what a case page shows for its owner, for staff and for a
mediator from the same queries; `templates/jinja2/disputes/_timeline.html` and
`_evidence.html` there render it for all three. What differs by viewer is decided
here (which links an evidence file gets, what extra cards there are), not in
three copies of the markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext

from disputes.links import link
from disputes.models import (
    Case,
    CaseTally,
    Deadline,
    Evidence,
    EvidenceCheck,
    FieldChange,
    Letter,
    Milestone,
    Offer,
    Project,
    Review,
    ScopeAgreement,
    SettlementProposal,
    Ticket,
    TimelineEntry,
)
from disputes.prepared import prepared
from disputes.rules import checklist as checklist_rules
from disputes.rules import ladder, money
from disputes.selectors_timeline import timeline_page

OWNER, STAFF, MEDIATOR = "owner", "staff", "mediator"
# How many field edits a page shows (services.history keeps them all).
HISTORY_LIMIT = 50

_EVIDENCE_ROUTES = {
    # viewer: (main link, thumbnail) — the owner's main link is a detail page, the others download.
    OWNER: ("disputes:evidence_detail", "disputes:evidence_thumbnail"),
    STAFF: ("disputes:staff_evidence", "disputes:staff_evidence_thumbnail"),
    MEDIATOR: ("disputes:mediation_evidence", "disputes:mediation_evidence_thumbnail"),
}


def build_timeline(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Entries in the order things happened, each with its chain of corrections.

    A correction is shown under the entry it corrects (which is struck
    through), not as a separate item.
    """
    by_id = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.corrected_by = None
    for entry in entries:
        if entry.corrects_id and entry.corrects_id in by_id:
            by_id[entry.corrects_id].corrected_by = entry
    roots = [entry for entry in entries if not entry.corrects_id]
    for root in roots:
        chain, current = [], root.corrected_by
        while current is not None:
            chain.append(current)
            current = current.corrected_by
        root.correction_chain = chain
    return roots


def plan_differences(
    project: Project, *, agreements: list[ScopeAgreement] | None = None, milestones: list | None = None
) -> list[money.PlanDifference]:
    """Where the latest scope agreement and the payment plan disagree (`rules.money`).

    Pass the project's agreements (newest first) and milestones when the page
    has loaded them already; otherwise they are read here.
    """
    if agreements is None:
        agreements = list(project.agreements.order_by("-version")[:1])
    if not agreements:
        return []
    if milestones is None:
        milestones = list(project.milestones.only("amount"))
    latest = agreements[0]
    figures = money.PlanFigures(
        currency=project.currency,
        project_price=project.price,
        plan_total=sum((m.amount for m in milestones), start=Decimal("0")) if milestones else None,
        agreement_version=latest.version,
        agreement_price=latest.price,
        agreement_currency=latest.currency,
    )
    return money.plan_differences(figures)


@dataclass
class CaseView:
    viewer: str
    case: Case
    timeline: list[TimelineEntry]
    entry_count: int
    evidence: list[Evidence]
    open_concerns: list = field(default_factory=list)
    # The timeline page's neighbours: `before=` / `after=` ids for the links, or None.
    older: int | None = None
    newer: int | None = None
    proposals: list = field(default_factory=list)
    agreements: list[ScopeAgreement] = field(default_factory=list)
    milestones: list = field(default_factory=list)
    warning_signs: list = field(default_factory=list)
    differences: list[money.PlanDifference] = field(default_factory=list)
    # The owner's extras.
    letters: list[Letter] = field(default_factory=list)
    in_review: Review | None = None
    # Mail to the client not sent yet (queued, scheduled, held), and incoming mail held for a decision.
    mails_waiting: list = field(default_factory=list)
    received_held: list = field(default_factory=list)
    # Edits of the case's own fields (amount, kind, ...), newest first.
    changes: list = field(default_factory=list)
    # Open outside deadlines (a platform's, a body's), soonest first, and whether it has tickets.
    outside_deadlines: list = field(default_factory=list)
    has_tickets: bool = False
    checklist: checklist_rules.Checklist | None = None
    offers: list = field(default_factory=list)
    history_limit: int = HISTORY_LIMIT
    # Staff's extras.
    review: Review | None = None
    actions: list = field(default_factory=list)

    @property
    def tampered(self) -> list[Evidence]:
        return [item for item in self.evidence if getattr(item, "integrity", None) in ("changed", "missing")]

    @property
    def oldest_open_concern(self):
        return self.open_concerns[0] if self.open_concerns else None


@prepared
def _case_evidence(case_id: int):
    return Evidence.objects.filter(case_id=case_id).select_related("checklist_tag").order_by("-uploaded_at", "-id")


def _evidence(case: Case, viewer: str) -> list[Evidence]:
    main, thumb = _EVIDENCE_ROUTES[viewer]
    if viewer == STAFF:
        # Staff weigh the evidence: each file shows its latest fingerprint check (kept by
        # services.evidence, re-run nightly and on demand), not a re-read on every view.
        latest = EvidenceCheck.objects.filter(evidence=OuterRef("pk")).order_by("-checked_at", "-id")
        items = list(
            case.evidence.select_related("checklist_tag")
            .order_by("-uploaded_at", "-id")
            .annotate(
                integrity=Subquery(latest.values("result")[:1]), checked_at=Subquery(latest.values("checked_at")[:1])
            )
        )
    else:
        items = _case_evidence(case.pk)  # the same query, built once per process (disputes.prepared)
    for item in items:
        item.case = case
        item.link = link(main, case.pk, item.pk)
        item.thumbnail_link = link(thumb, case.pk, item.pk) if item.thumbnail else ""
        item.downloads = viewer != OWNER
    return items


def case_view(case: Case, *, viewer: str, params=None) -> CaseView:
    """Everything a case page shows to `viewer` (OWNER, STAFF or MEDIATOR), in a fixed number of queries.

    The timeline is one page of it (`selectors_timeline`; `params` is the request's GET), so a case
    with thousands of entries costs what a short one costs.
    """
    visible = case.entries.all()
    if viewer != OWNER:
        # The freelancer's private notes are theirs alone.
        visible = visible.filter(shared=True)
    page = timeline_page(visible, params or {}, case=case, shared_only=viewer != OWNER)
    entries = page.entries
    _attach_authors(case, entries)
    ids = page.ids
    # The page's own concerns, and every open one (the banner names the oldest).
    concerns = {
        concern.message_id: concern for concern in case.concerns.filter(Q(message_id__in=ids) | Q(state="open"))
    }
    # One query for the case's mail: the page's sent ones mark their entries, the rest wait on the owner's card.
    # A case gets its reply address with its first mail, so one without it has no mail to look up.
    mails = (
        list(case.mails.exclude(status="cancelled").filter(Q(entry_id__in=ids) | Q(entry__isnull=True))
             .defer("body", "attached"))
        if case.reply_token else []
    )  # fmt: skip
    sent_mails = {mail.entry_id: mail for mail in mails if mail.entry_id}
    has = side_lists(case)
    proposals = list(case.settlement_proposals.all()) if has["proposals"] else []
    by_entry = {proposal.entry_id: proposal for proposal in proposals}
    for entry in entries:
        entry.clock_concern = concerns.get(entry.pk)
        entry.sent_mail = sent_mails.get(entry.pk)
        proposal = by_entry.get(entry.pk)
        if proposal is not None:
            entry.pending_proposal = proposal if proposal.status == proposal.Status.PROPOSED else None
            entry.proposal_status = proposal.get_status_display()
    view = CaseView(
        viewer=viewer,
        case=case,
        timeline=build_timeline(entries),
        # The owner sees every entry: the chain's length counts them without a query.
        entry_count=case.chain_length if viewer == OWNER else visible.count(),
        older=page.older,
        newer=page.newer,
        evidence=_evidence(case, viewer),
        open_concerns=sorted((c for c in concerns.values() if c.state == c.State.OPEN), key=lambda c: c.due_at),
        proposals=proposals,
    )
    project = case.project
    view.milestones = list(project.milestones.all()) if has["milestones"] else []
    if has["agreements"]:
        view.agreements = list(project.agreements.select_related("created_by").order_by("-version"))
    view.differences = plan_differences(project, agreements=view.agreements, milestones=view.milestones)
    view.changes = field_history(case) if has["changes"] else []
    view.has_tickets = has["tickets"]
    view.checklist = evidence_checklist(case, view.evidence, view.agreements, client_messages=has["client_messages"])
    if has["deadlines"]:
        view.outside_deadlines = list(case.deadlines.filter(met_at__isnull=True).order_by("due_at", "id"))
    if viewer == OWNER:
        if has["letters"]:
            view.letters = list(case.letters.exclude(status=Letter.Status.DISCARDED).order_by("-created_at", "-id"))
        # Only a case the ladder puts in review has an open one (services.review_follow_case).
        if ladder.in_review(case.ladder_state):
            view.in_review = case.reviews.filter(state=Review.State.OPEN).first()
        view.mails_waiting = [mail for mail in mails if mail.waiting]
        if has["offers"]:
            view.offers = list(case.offers.select_related("notification").order_by("-created_at", "-id"))
        if case.reply_token:  # only mail to the reply address can be held
            view.received_held = list(case.received.filter(status="held").order_by("-received_at", "-id"))
    if viewer == STAFF:
        view.warning_signs = list(case.client.warning_signs.all())
        view.review = case.reviews.order_by("-entered_at", "-id").first()
        view.actions = list(view.review.actions.select_related("actor", "assignee")) if view.review else []
    return view


def evidence_checklist(case: Case, evidence, agreements, *, client_messages: bool) -> checklist_rules.Checklist:
    """The case's evidence checklist (rules.checklist) from what the page already read: its files,
    its project's scope agreements, and whether the client's messages are on the timeline."""
    for item in evidence:
        tag = checklist_rules.ITEMS.get(item.checklist_item)
        item.checklist_label = tag.label if tag else ""
    accepted = any(agreement.accepted_at for agreement in agreements)
    return checklist_rules.for_case(case.kind, evidence, scope_accepted=accepted, client_messages=client_messages)


def side_lists(case: Case) -> dict[str, bool]:
    """Whether the case has any offers, letters (of any status), field edits, outside deadlines
    (met or not) and tickets, and whether its project has milestones or scope agreements: one
    statement of EXISTS tests, each read through an index, so a young case skips the queries for
    lists it has nothing in. True means "look", not "show": the lists' own queries still decide
    what appears (a case whose only letter was discarded looks and finds none)."""
    quote = connection.ops.quote_name

    def exists(model, **where) -> tuple[str, list]:
        columns = " AND ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in where)
        table = quote(model._meta.db_table)
        return f"EXISTS(SELECT 1 FROM {table} WHERE {columns})", list(where.values())  # noqa: S608 (names from the models)

    tests = {
        "proposals": exists(SettlementProposal, case=case.pk),
        "offers": exists(Offer, case=case.pk),
        "letters": exists(Letter, case=case.pk),
        "changes": exists(FieldChange, subject=FieldChange.subject_of(case), subject_id=case.pk),
        "milestones": exists(Milestone, project=case.project_id),
        "agreements": exists(ScopeAgreement, project=case.project_id),
        "deadlines": exists(Deadline, case=case.pk),
        "tickets": exists(Ticket, case=case.pk),
        # For the evidence checklist: the client's own words are on the record.
        "client_messages": exists(TimelineEntry, case=case.pk, kind=TimelineEntry.Kind.MESSAGE_IN),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(sql for sql, _ in tests.values()),
            [value for _, params in tests.values() for value in params],
        )
        row = cursor.fetchone()
    return {name: bool(found) for name, found in zip(tests, row, strict=True)}


def _attach_authors(case: Case, entries: list[TimelineEntry]) -> None:
    """Each entry's author: the case's owner (already loaded with the case) wrote most of them, so
    only other people (staff, a mediator) are read, in one query when there are any."""
    known = {case.owner_id: case.owner} if Case.owner.is_cached(case) else {}
    missing = {entry.author_id for entry in entries} - known.keys()
    if missing:
        known.update((user.pk, user) for user in get_user_model().objects.filter(pk__in=missing))
    for entry in entries:
        entry.author = known[entry.author_id]


def ladder_context(case: Case) -> dict:
    """The ladder card: rungs, where the case is, and the moves it may make now."""
    return {
        "rungs": ladder.RUNGS,
        "current_rung": ladder.rung(case.stage),
        "current_index": ladder.stage_index(case.stage),
        "moves": [(move, gettext(ladder.MOVE_LABELS[move])) for move in ladder.available_moves(case.ladder_state)],
    }


def field_history(record, *, limit: int = HISTORY_LIMIT) -> list[FieldChange]:
    """The latest edits of one case, client, project or milestone, newest first (services.history)."""
    return list(
        FieldChange.objects.filter(subject=FieldChange.subject_of(record), subject_id=record.pk)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def milestone_history(project: Project, *, limit: int = HISTORY_LIMIT) -> list[FieldChange]:
    """The latest edits of a project's milestones (their paid dates), newest first."""
    return list(
        FieldChange.objects.filter(
            subject=FieldChange.Subject.MILESTONE, subject_id__in=project.milestones.values("pk")
        )
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def archived_case_count(user, cap: int) -> int:
    """How many of the user's cases are archived (`CaseQuerySet.archived()`: the case itself, its
    client or its project, as `Case.shelved` keeps it), counting at most `cap + 1` through the
    partial index of shelved cases. Written as SQL: through the ORM the statement cost more to build
    than to run, on every view of the list. tests/disputes/test_archive.py holds it to `archived()`."""
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {Case._meta.db_table} WHERE owner_id = %s AND shelved"  # noqa: S608
        f" LIMIT {int(cap) + 1}) archived"
    )  # "shelved" as the ORM writes it and the partial index's condition says it, so SQLite uses that index
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return cursor.fetchone()[0]


def open_case_totals(user) -> tuple[dict[str, int], list[dict]]:
    """The user's open cases per rung, and money in dispute per currency ({currency, total, n}), from the
    tallies the database keeps with every case change (disputes.tallies): no scan of the cases."""
    per_stage: dict[str, int] = {}
    per_currency: dict[str, dict] = {}
    for tally in CaseTally.objects.filter(owner=user, cases__gt=0):
        per_stage[tally.stage] = per_stage.get(tally.stage, 0) + tally.cases
        row = per_currency.setdefault(tally.currency, {"currency": tally.currency, "total": Decimal(0), "n": 0})
        row["total"] += tally.amount
        row["n"] += tally.cases
    return per_stage, [per_currency[code] for code in sorted(per_currency)]


def recent_activity(user, limit: int = 10):
    """The user's latest timeline entries. They are among the `limit` cases written to last
    (Case.last_entry_at, indexed), so only those cases' entries are read."""
    recent = Case.objects.for_owner(user).filter(last_entry_at__isnull=False).order_by("-last_entry_at")
    return (
        TimelineEntry.objects.filter(case_id__in=list(recent.values_list("pk", flat=True)[:limit]))
        .select_related("case", "case__client", "author")
        .order_by("-recorded_at", "-id")[:limit]
    )
