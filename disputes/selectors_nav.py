"""The navigation bar's counts, read on every page in one query."""

from django.db import connection

from disputes.models import Case, Client, MediatorAccess, Review
from disputes.selectors_deadlines import deadline_counts_sql

# The navigation bar counts what is late up to this many, then says "99+": every page reads at
# most NAV_CAP + 1 rows of each kind, however much a user has let slip.
NAV_CAP = 99


class NavCount(int):
    """A navigation count read up to NAV_CAP + 1 rows: shown as "99+" past the cap."""

    def __str__(self) -> str:
        return f"{NAV_CAP}+" if self > NAV_CAP else str(int(self))


def nav_counts(user, now, due_soon) -> dict[str, int]:
    """The navigation bar's counts in one query: the user's cases with an answer overdue and due
    within `due_soon`, their other deadlines passed or due within 48 hours
    (selectors_deadlines.deadline_counts_sql), and for staff the review queue. Each is a COUNT subquery read through its
    index (cases by (owner, response_due_at)) and the clock and deadline counts stop at NAV_CAP + 1 rows
    (shown "99+"); non-staff get no queue.

    Every page runs it, so the two clock counts are written as SQL: through the ORM the statement
    cost ten times more to build than to run. They are `CaseQuerySet.answer_overdue` and
    `answer_due_soon` word for word (tests/disputes/test_concerns.py holds them to it at the edges)."""
    table = Case._meta.db_table
    at = connection.ops.adapt_datetimefield_value
    cap = NAV_CAP + 1
    parts = [
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE owner_id = %s AND response_due_at <= %s"  # noqa: S608
        f" LIMIT {cap}) z)",
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE owner_id = %s AND response_due_at > %s"  # noqa: S608
        f" AND response_due_at <= %s LIMIT {cap}) z)",
    ]
    params = [user.pk, at(now), user.pk, at(now), at(now + due_soon)]
    names = ["overdue", "due_soon"]
    # Letters, settlements, milestones and outside deadlines passed or due within 48 hours.
    deadline_parts, deadline_params = deadline_counts_sql(user, now, cap=cap)
    parts += deadline_parts
    params += deadline_params
    names.append("deadlines")
    # Whether the user has clients of their own, and the cases they mediate: a mediator who is no
    # freelancer here gets a navigation of their mediations, not of empty lists.
    access, client = MediatorAccess._meta.db_table, Client._meta.db_table
    parts += [
        f"(SELECT COUNT(*) FROM {access} WHERE mediator_id = %s AND revoked_at IS NULL)",  # noqa: S608
        f"EXISTS (SELECT 1 FROM {client} WHERE owner_id = %s)",  # noqa: S608
    ]
    params += [user.pk, user.pk]
    names += ["mediating", "owns"]
    if user.is_staff:
        queue_sql, queue_params = Review.objects.in_queue().order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({queue_sql}) queue)")  # noqa: S608 (SQL the ORM wrote)
        params += queue_params
        names.append("queue")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counts = {"overdue": 0, "due_soon": 0, "queue": 0, "deadlines": 0, **dict(zip(names, row, strict=True))}
    for name in ("overdue", "due_soon", "deadlines"):
        counts[name] = NavCount(min(counts[name], cap))
    counts["owns"] = bool(counts["owns"])
    # Owner's lists show for anyone but a user who only mediates (a new user sees them, empty).
    counts["owner_lists"] = counts["owns"] or not counts["mediating"]
    return counts
