"""The reports page's figures, for one user and a range of months.

1. Cases opened in the range, per month, kind and currency: cases opened per month, by kind, and
   money disputed and recovered per currency all come from this one read.
2. Cases closed in the range, per month, rung, status, outcome and root cause.
3. Client concerns that arrived in the range: how many, answered within the window, late or
   still overdue, and the average time to an answer.

The first two are read from the tallies the database keeps per UTC month (`OpenedTally`,
`ClosedTally`, disputes.tallies), not from the cases: a report costs the number of months, kinds
and currencies, not the number of cases. Months are the user's own (a case opened at 00:30 on
1 April in Berlin, 22:30 on 31 March in UTC, counts in April): between the start of a UTC month
and the start of the user's there are a few hours, and the cases opened in them are read from
the case table (its (owner, opened_at) and (owner, closed_at) indexes) and moved to the right
month. The concerns are read through their (owner, received_at) index.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models import Case as Cases

from disputes.models import Case, ClosedTally, Concern, OpenedTally
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


def _by_local_month(user, field: str, keys: tuple[str, ...], first, last) -> list[dict]:
    """Rows of {month, *keys, cases, disputed, recovered} for the user's months `first` to `last`,
    counted by the case's `field` (opened_at or closed_at): the UTC-month tally, plus, at each
    month's start, the cases between the UTC start and the user's, added to one month and taken
    from the other. Where the user's month starts first (east of UTC) those cases belong to the
    month that starts; where it starts later (west), to the month before."""
    zone = ZoneInfo(user.time_zone)
    wanted = months(first, last)
    low, high = wanted[0], wanted[-1]
    totals: dict[tuple, dict] = defaultdict(lambda: {"cases": 0, "disputed": Decimal(0), "recovered": Decimal(0)})

    def add(month: datetime.date, row: dict, sign: int) -> None:
        if low <= month <= high:
            slot = totals[(month, *(row[key] for key in keys))]
            slot["cases"] += sign * row["cases"]
            slot["disputed"] += sign * (row.get("disputed") or 0)
            slot["recovered"] += sign * (row.get("recovered") or 0)

    if field == "opened_at":
        tallies = OpenedTally.objects.values(*keys, "month", "cases", "disputed_cents", "recovered_cents")
        sums = {"cases": Count("id"), "disputed": Sum("amount_in_dispute"), "recovered": Sum("amount_recovered")}
    else:
        tallies = ClosedTally.objects.values(*keys, "month", "cases")
        sums = {"cases": Count("id")}
    for row in tallies.filter(owner=user, month__gte=low, month__lte=high, cases__gt=0):
        row["disputed"] = Decimal(row.pop("disputed_cents", 0)) / 100
        row["recovered"] = Decimal(row.pop("recovered_cents", 0)) / 100
        add(row["month"], row, 1)

    windows = []  # (from, until, the month starting, the month before, +1 east / -1 west)
    for start in [*wanted, next_month(high)]:
        utc = datetime.datetime.combine(start, datetime.time(0), tzinfo=datetime.UTC)
        local = datetime.datetime.combine(start, datetime.time(0), tzinfo=zone)
        before = (start - datetime.timedelta(days=1)).replace(day=1)
        if local != utc:
            windows.append((min(local, utc), max(local, utc), start, before, 1 if local < utc else -1))
    if windows:
        inside = [Q(**{f"{field}__gte": since, f"{field}__lt": until}) for since, until, *_ in windows]
        bucket = Cases(*(When(q, then=Value(i)) for i, q in enumerate(inside)), output_field=IntegerField())
        rows = Case.objects.filter(functools.reduce(operator.or_, inside), owner=user)
        for row in rows.annotate(window=bucket).values("window", *keys).annotate(**sums).order_by():
            _, _, starting, before, sign = windows[row["window"]]
            add(starting, row, sign)
            add(before, row, -sign)
    return [{"month": key[0], **dict(zip(keys, key[1:], strict=True)), **values} for key, values in totals.items()]


def month_bounds(user, first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `first`'s month and the end of `last`'s, where the user is."""
    zone = ZoneInfo(user.time_zone)
    start = datetime.datetime.combine(month_start(first), datetime.time(0), tzinfo=zone)
    return start, datetime.datetime.combine(next_month(last), datetime.time(0), tzinfo=zone)


def report(user, first: datetime.date, last: datetime.date, now: datetime.datetime) -> Report:
    """The figures for the months from `first` to `last` (both included) in the user's zone."""
    start, end = month_bounds(user, first, last)
    result = Report(months=months(first, last))

    opened = _by_local_month(user, "opened_at", ("kind", "currency"), first, last)
    kinds: dict[str, int] = defaultdict(int)
    money: dict[str, dict] = {}
    for row in opened:
        month = row["month"]
        result.opened[month] = result.opened.get(month, 0) + row["cases"]
        kinds[row["kind"]] += row["cases"]
        totals = money.setdefault(row["currency"], {"currency": row["currency"], "cases": 0,
                                                    "disputed": Decimal(0), "recovered": Decimal(0)})  # fmt: skip
        totals["cases"] += row["cases"]
        totals["disputed"] += row["disputed"]
        totals["recovered"] += row["recovered"]
    kind_labels = dict(Case.Kind.choices)
    result.by_kind = sorted(((kind_labels.get(k, k), n) for k, n in kinds.items()), key=lambda kn: -kn[1])
    result.money = sorted(money.values(), key=lambda totals: -totals["disputed"])

    closed = _by_local_month(user, "closed_at", ("stage", "status", "outcome", "root_cause_kind"), first, last)
    rungs: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    causes: dict[str, int] = defaultdict(int)
    for row in closed:
        month = row["month"]
        result.closed[month] = result.closed.get(month, 0) + row["cases"]
        rungs[row["stage"]] += row["cases"]
        ending = row["outcome"] or row["status"]
        outcomes[ending] += row["cases"]
        causes[row["root_cause_kind"]] += row["cases"]
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
