"""The dashboard's tallies follow every change to the cases, whoever makes it, and cost no scan."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse

from disputes.db_guard import rewrite_permitted
from disputes.models import Case, CaseTally
from disputes.tallies import tally_rebuild
from tests.factories import CaseFactory, ClientFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def from_cases() -> dict:
    rows = Case.objects.filter(status="open").values("owner_id", "stage", "currency")
    rows = rows.annotate(n=Count("id"), total=Sum("amount_in_dispute")).order_by()
    return {(r["owner_id"], r["stage"], r["currency"]): (r["n"], Decimal(r["total"]).quantize(Decimal("0.01")))
            for r in rows}  # fmt: skip


def from_tallies() -> dict:
    return {(t.owner_id, t.stage, t.currency): (t.cases, t.amount) for t in CaseTally.objects.filter(cases__gt=0)}


def test_random_changes_through_the_orm_and_raw_sql_keep_the_tallies_exact():
    chance = random.Random(20261203)
    users = [UserFactory() for _ in range(3)]
    projects = [ProjectFactory(client=ClientFactory(owner=user)) for user in users]
    cases = []
    for _ in range(40):
        project = chance.choice(projects)
        cases.append(
            CaseFactory(project=project, amount_in_dispute=Decimal(chance.randint(0, 500000)) / 100, currency="EUR")
        )
    stages = [choice for choice, _ in Case.Stage.choices]
    for _ in range(200):
        case = chance.choice(cases)
        action = chance.randrange(5)
        if action == 0:
            Case.objects.filter(pk=case.pk).update(stage=chance.choice(stages))
        elif action == 1:
            Case.objects.filter(pk=case.pk).update(status=chance.choice(["open", "resolved", "walked_away"]))
        elif action == 2:
            case.refresh_from_db()
            case.amount_in_dispute = Decimal(chance.randint(0, 500000)) / 100
            case.save()
        elif action == 3:
            Case.objects.filter(pk=case.pk).update(currency=chance.choice(["EUR", "USD", "JPY"]))
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE disputes_case SET amount_in_dispute = amount_in_dispute + 1 WHERE id = %s", [case.pk]
                )
    assert from_tallies() == from_cases()
    with rewrite_permitted():
        Case.objects.filter(pk__in=[c.pk for c in cases[:5]]).delete()
    assert from_tallies() == from_cases()
    before = from_tallies()
    tally_rebuild()
    assert from_tallies() == before


def test_the_dashboard_shows_the_tallies_with_a_fixed_number_of_queries(
    owner_client, owner, django_assert_max_num_queries
):
    for amount, currency, stage in [
        ("100.50", "EUR", "reminders"),
        ("20", "EUR", "direct_talk"),
        ("7", "USD", "legal"),
    ]:
        CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal(amount), currency=currency, stage=stage)
    CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("999"), currency="EUR", status="resolved")
    with django_assert_max_num_queries(10):
        page = owner_client.get(reverse("disputes:dashboard"))
    assert page.context["open_count"] == 3
    assert [(row["currency"], row["total"], row["n"]) for row in page.context["money"]] == [
        ("EUR", Decimal("120.50"), 2),
        ("USD", Decimal("7.00"), 1),
    ]
    assert {rung["key"]: rung["count"] for rung in page.context["rungs"]}["legal"] == 1


def test_recent_activity_is_the_ten_latest_entries_across_all_cases(owner, outsider):
    import datetime as dt
    import random as rnd

    import time_machine

    from disputes.models import TimelineEntry
    from disputes.selectors import recent_activity
    from disputes.services.timeline import entry_add

    chance = rnd.Random(7)
    cases = [CaseFactory(project__client__owner=owner) for _ in range(14)]
    theirs = CaseFactory(project__client__owner=outsider)
    start = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    for minute in range(60):
        case = theirs if minute % 13 == 0 else chance.choice(cases[:4] if minute % 2 else cases)
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            entry_add(case=case, author=case.owner, kind="note", body=f"note {minute}")
    expected = list(
        TimelineEntry.objects.filter(case__owner=owner)
        .order_by("-recorded_at", "-id")
        .values_list("pk", flat=True)[:10]
    )
    assert [entry.pk for entry in recent_activity(owner)] == expected
