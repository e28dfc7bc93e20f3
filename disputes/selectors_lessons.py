"""What a freelancer learned from closed cases: the lessons page, and the reminder shown when new
work starts with a client, or on a kind of work, that had a case before."""

from __future__ import annotations

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Q, Value, When

from disputes.models import Case, Project
from disputes.rules import lessons

HAS_LESSON = ~Q(root_cause_kind="") | ~Q(root_cause="") | ~Q(lessons_learned="")


def with_lessons(user):
    """The user's closed cases that say why they happened or what to do next time, newest first."""
    return (
        Case.objects.filter(owner=user, closed_at__isnull=False)
        .filter(HAS_LESSON)
        .select_related("client", "project")
        .only(
            "title",
            "kind",
            "status",
            "outcome",
            "closed_at",
            "root_cause_kind",
            "root_cause",
            "lessons_learned",
            "client__name",
            "project__title",
            "project__work_kind",
        )
        .order_by("-closed_at", "-id")
    )


def cause_counts(user) -> list[tuple[str, str, int, str]]:
    """(key, label, cases, advice) for each root cause the user's closed cases name, most first."""
    rows = (
        Case.objects.filter(owner=user, closed_at__isnull=False)
        .exclude(root_cause_kind="")
        .values("root_cause_kind")
        .annotate(n=Count("id"))
        .order_by("-n", "root_cause_kind")
    )
    return [(r["root_cause_kind"], lessons.label(r["root_cause_kind"]), r["n"], lessons.advice(r["root_cause_kind"]))
            for r in rows]  # fmt: skip


def lessons_for(user, client_id: int | None, work_kind: str = "", limit: int = 3) -> list[Case]:
    """The latest lessons from closed cases with this client or on this kind of work ("other" says
    too little to match on), for the pages where new work starts: the client's own first. Each case
    says why it is shown (`same_client`, `same_kind`)."""
    matches = Q(client_id=client_id) if client_id else Q()
    if work_kind and work_kind in Project.WorkKind.values and work_kind != Project.WorkKind.OTHER:
        matches = matches | Q(project__work_kind=work_kind) if matches else Q(project__work_kind=work_kind)
    if not matches:
        return []
    first = Choose(When(client_id=client_id or 0, then=Value(1)), default=Value(0), output_field=IntegerField())
    found = list(
        with_lessons(user).filter(matches).annotate(first=first).order_by("-first", "-closed_at", "-id")[:limit]
    )
    for case in found:
        case.same_client = case.client_id == client_id
        case.same_kind = bool(work_kind) and case.project.work_kind == work_kind
    return found
