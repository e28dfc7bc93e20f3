"""The reports page's figures, for one user and a range of months, in three grouped queries.

1. Cases opened in the range, grouped by month, kind and currency: cases opened per month, by
   kind, and money disputed and recovered per currency all come from this one read.
2. Cases closed in the range, grouped by month, rung, status, outcome and root cause.
3. Client concerns that arrived in the range: how many, answered within the window, late or
   still overdue, and the average time to an answer.

Months are the user's own (a case opened at 23:30 on 31 March in Berlin counts in March). Each
query is read through an index on (owner, date), so a report costs what its range holds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth

from disputes.models import Case, Concern
from disputes.rules import lessons

LONGEST_YEARS = 10


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from `first`'s to `last`'s, both included."""
    out, day = [], month_start(first)
    while day <= last:
        out.append(day)
        day = next_month(day)
    return out


@dataclass
class Report:
    months: list[datetime.date]
    opened: dict[datetime.date, int] = field(default_factory=dict)
    closed: dict[datetime.date, int] = field(default_factory=dict)
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_rung: list[tuple[str, int]] = field(default_factory=list)
    by_outcome: list[tuple[str, int]] = field(default_factory=list)
    root_causes: list[tuple[str, int]] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)
    concerns: int = 0
    answered: int = 0
    within_window: int = 0
    overdue: int = 0
    average_answer: datetime.timedelta | None = None

    @property
    def opened_total(self) -> int:
        return sum(self.opened.values())

    @property
    def closed_total(self) -> int:
        return sum(self.closed.values())

    @property
    def within_share(self) -> float | None:
        return self.within_window / self.concerns if self.concerns else None

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.concerns if self.concerns else None

    @property
    def empty(self) -> bool:
        return not (self.opened_total or self.closed_total or self.concerns)


def _local_month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def month_bounds(user, first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `first`'s month and the end of `last`'s, where the user is."""
    zone = ZoneInfo(user.time_zone)
    start = datetime.datetime.combine(month_start(first), datetime.time(0), tzinfo=zone)
    return start, datetime.datetime.combine(next_month(last), datetime.time(0), tzinfo=zone)


def report(user, first: datetime.date, last: datetime.date, now: datetime.datetime) -> Report:
    """The figures for the months from `first` to `last` (both included) in the user's zone."""
    zone = ZoneInfo(user.time_zone)
    start, end = month_bounds(user, first, last)
    result = Report(months=months(first, last))

    opened = (
        Case.objects.filter(owner=user, opened_at__gte=start, opened_at__lt=end)
        .annotate(month=TruncMonth("opened_at", tzinfo=zone))
        .values("month", "kind", "currency")
        .annotate(n=Count("id"), disputed=Sum("amount_in_dispute"), recovered=Sum("amount_recovered"))
        .order_by()
    )
    kinds: dict[str, int] = defaultdict(int)
    money: dict[str, dict] = {}
    for row in opened:
        month = _local_month(row["month"])
        result.opened[month] = result.opened.get(month, 0) + row["n"]
        kinds[row["kind"]] += row["n"]
        totals = money.setdefault(row["currency"], {"currency": row["currency"], "cases": 0,
                                                    "disputed": Decimal(0), "recovered": Decimal(0)})  # fmt: skip
        totals["cases"] += row["n"]
        totals["disputed"] += row["disputed"] or 0
        totals["recovered"] += row["recovered"] or 0
    kind_labels = dict(Case.Kind.choices)
    result.by_kind = sorted(((kind_labels.get(k, k), n) for k, n in kinds.items()), key=lambda kn: -kn[1])
    result.money = sorted(money.values(), key=lambda totals: -totals["disputed"])

    closed = (
        Case.objects.filter(owner=user, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=zone))
        .values("month", "stage", "status", "outcome", "root_cause_kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    rungs: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    causes: dict[str, int] = defaultdict(int)
    for row in closed:
        month = _local_month(row["month"])
        result.closed[month] = result.closed.get(month, 0) + row["n"]
        rungs[row["stage"]] += row["n"]
        ending = row["outcome"] or row["status"]
        outcomes[ending] += row["n"]
        causes[row["root_cause_kind"]] += row["n"]
    result.by_rung = [(label, rungs[key]) for key, label in Case.Stage.choices if rungs.get(key)]
    ending_labels = {**dict(Case.Status.choices), **dict(Case.Outcome.choices)}
    result.by_outcome = sorted(((ending_labels.get(k, k), n) for k, n in outcomes.items()), key=lambda kn: -kn[1])
    result.root_causes = sorted(
        ((lessons.label(k) or "Not given", n) for k, n in causes.items()), key=lambda kn: -kn[1]
    )

    waited = ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField())
    figures = Concern.objects.filter(owner=user, received_at__gte=start, received_at__lt=end).aggregate(
        total=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        within=Count("id", filter=Q(answered_at__lte=F("due_at"))),
        overdue=Count("id", filter=Q(answered_at__gt=F("due_at")) | Q(state="open", due_at__lt=now)),
        average=Avg(waited, filter=Q(answered_at__isnull=False)),
    )
    result.concerns = figures["total"]
    result.answered = figures["answered"]
    result.within_window = figures["within"]
    result.overdue = figures["overdue"]
    result.average_answer = figures["average"]
    return result
