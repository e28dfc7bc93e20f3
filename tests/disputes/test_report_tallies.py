"""The reports' tallies follow every change to the cases, and a report read from them counts each
case in the user's own month, whatever the zone, exactly as counting the cases one by one would."""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.db_guard import rewrite_permitted
from disputes.models import Case, ClosedTally, OpenedTally
from disputes.selectors_reports import report
from disputes.tallies import tally_rebuild
from tests.factories import CaseFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 20, tzinfo=dt.UTC)
STAGES = [choice for choice, _ in Case.Stage.choices]
OUTCOMES = [choice for choice, _ in Case.Outcome.choices]


def _utc_month(value: dt.datetime) -> dt.date:
    return value.astimezone(dt.UTC).date().replace(day=1)


def tallies_from_cases() -> tuple[dict, dict]:
    opened, closed = Counter(), Counter()
    money = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for case in Case.objects.all():
        key = (case.owner_id, _utc_month(case.opened_at), case.kind, case.currency)
        opened[key] += 1
        money[key][0] += case.amount_in_dispute
        money[key][1] += case.amount_recovered or 0
        if case.closed_at:
            closed[(case.owner_id, _utc_month(case.closed_at), case.stage, case.status, case.outcome,
                    case.root_cause_kind)] += 1  # fmt: skip
    return ({k: (n, *money[k]) for k, n in opened.items()}, dict(closed))


def tallies_kept() -> tuple[dict, dict]:
    opened = {(t.owner_id, t.month, t.kind, t.currency): (t.cases, Decimal(t.disputed_cents) / 100,
              Decimal(t.recovered_cents) / 100) for t in OpenedTally.objects.filter(cases__gt=0)}  # fmt: skip
    closed = {(t.owner_id, t.month, t.stage, t.status, t.outcome, t.root_cause_kind): t.cases
              for t in ClosedTally.objects.filter(cases__gt=0)}  # fmt: skip
    return opened, closed


def _when(chance: random.Random) -> dt.datetime:
    """Often right at a month's start, where UTC and local months differ."""
    month = chance.randint(1, 6)
    start = dt.datetime(2026, month, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(minutes=chance.choice([-900, -90, -30, -1, 0, 1, 30, 90, 900, 20000]))


def test_random_changes_through_the_orm_and_raw_sql_keep_the_report_tallies_exact():
    chance = random.Random(20261206)
    users = [UserFactory() for _ in range(2)]
    projects = [ProjectFactory(client__owner=user) for user in users]
    cases = [
        CaseFactory(project=chance.choice(projects), opened_at=_when(chance), currency=chance.choice(["EUR", "USD"]),
                    amount_in_dispute=Decimal(chance.randint(0, 90000)) / 100)
        for _ in range(30)
    ]  # fmt: skip
    for _ in range(150):
        case = chance.choice(cases)
        action = chance.randrange(5)
        if action == 0:  # closed, with how it ended
            Case.objects.filter(pk=case.pk).update(
                status=chance.choice(["resolved", "walked_away"]), closed_at=_when(chance),
                outcome=chance.choice(OUTCOMES), amount_recovered=Decimal(chance.randint(0, 5000)) / 100,
                root_cause_kind=chance.choice(["", "no_prepayment", "unclear_scope"]),
            )  # fmt: skip
        elif action == 1:  # reopened
            Case.objects.filter(pk=case.pk).update(status="open", closed_at=None, outcome="", amount_recovered=None)
        elif action == 2:
            Case.objects.filter(pk=case.pk).update(
                stage=chance.choice(STAGES), kind=chance.choice(["billing", "scope"])
            )
        elif action == 3:
            case.refresh_from_db()
            case.opened_at = _when(chance)
            case.save()
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE disputes_case SET amount_in_dispute = amount_in_dispute + 1, currency = %s WHERE id = %s",
                    [chance.choice(["EUR", "JPY"]), case.pk],
                )
    assert tallies_kept() == tallies_from_cases()
    with rewrite_permitted():
        Case.objects.filter(pk=cases[0].pk).delete()
    assert tallies_kept() == tallies_from_cases()
    OpenedTally.objects.all().delete()
    tally_rebuild()
    assert tallies_kept() == tallies_from_cases()


def _brute_force(user, first: dt.date, last: dt.date) -> tuple[dict, dict, dict]:
    zone = ZoneInfo(user.time_zone)
    opened, closed, money = Counter(), Counter(), defaultdict(lambda: [0, Decimal(0), Decimal(0)])

    def month(value):
        return value.astimezone(zone).date().replace(day=1)

    for case in Case.objects.filter(owner=user):
        if first <= month(case.opened_at) <= last:
            opened[month(case.opened_at)] += 1
            totals = money[case.currency]
            totals[0] += 1
            totals[1] += case.amount_in_dispute
            totals[2] += case.amount_recovered or 0
        if case.closed_at and first <= month(case.closed_at) <= last:
            closed[month(case.closed_at)] += 1
    return dict(opened), dict(closed), {currency: tuple(t) for currency, t in money.items()}


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
)
def test_a_report_counts_each_case_in_the_users_own_month(zone):
    chance = random.Random(zone)
    user = UserFactory(time_zone=zone)
    project = ProjectFactory(client__owner=user)
    for _ in range(60):
        opened = _when(chance)
        closed = opened + dt.timedelta(hours=chance.choice([1, 14, 400]))
        CaseFactory(
            project=project, opened_at=opened, currency=chance.choice(["EUR", "USD"]),
            amount_in_dispute=Decimal(chance.randint(100, 90000)) / 100,
            **({"status": "resolved", "closed_at": closed, "outcome": "paid_in_full",
                "amount_recovered": Decimal("10.50")} if chance.random() < 0.5 else {}),
        )  # fmt: skip
    # The range starts and ends inside the data: its first and last months' edges count too.
    first, last = dt.date(2026, 2, 1), dt.date(2026, 5, 1)
    data = report(user, first, last, NOW)
    opened, closed, money = _brute_force(user, first, last)
    assert data.opened == opened and data.closed == closed
    assert {m["currency"]: (m["cases"], m["disputed"], m["recovered"]) for m in data.money} == money
    assert sum(n for _, n in data.by_outcome) == sum(closed.values())


def test_a_report_costs_the_same_for_ten_cases_or_a_hundred(owner):
    project = ProjectFactory(client__owner=owner)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            report(owner, dt.date(2016, 7, 1), dt.date(2026, 6, 1), NOW)
        return len(queries)

    CaseFactory.create_batch(10, project=project, opened_at=NOW - dt.timedelta(days=40))
    few = counted()
    CaseFactory.create_batch(90, project=project, opened_at=NOW - dt.timedelta(days=400))
    assert counted() == few <= 5
