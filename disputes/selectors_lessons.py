"""What a freelancer learned from closed cases: the lessons page, and the reminder shown when new
work starts with a client who had a case before."""

from __future__ import annotations

from django.db.models import Count, Q

from disputes.models import Case
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


def lessons_for_client(user, client_id: int | None, limit: int = 3) -> list[Case]:
    """The latest lessons from closed cases with this client, for the page where new work starts."""
    if not client_id:
        return []
    return list(with_lessons(user).filter(client_id=client_id)[:limit])
