"""Pages run a fixed number of queries, however many rows stand behind them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Evidence, Letter, Review, TimelineEntry
from disputes.services.mediation import mediator_accept, mediator_invite
from disputes.services.timeline import entry_add
from tests.factories import (
    AgreementFactory,
    CaseFactory,
    ClientFactory,
    MilestoneFactory,
    UserFactory,
    WarningSignFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def fill_case(case, rows: int) -> None:
    """Many rows fast: bulk-created (not chained; the page does not check the chain)."""
    now = timezone.now()
    start = case.entries.count()
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind="message_in" if i % 2 else "message_out",
            channel="email",
            body=f"Message {i}",
            happened_at=now - datetime.timedelta(minutes=rows - i),
            recorded_at=now,
            author=case.owner,
            sequence=start + i + 1,
        )
        for i in range(rows)
    )
    # Every fifth entry has a correction.
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind=e.kind,
            channel="email",
            body="fixed",
            happened_at=e.happened_at,
            recorded_at=now,
            author=case.owner,
            corrects=e,
            sequence=start + rows + n + 1,
        )
        for n, e in enumerate(entries[::5])
    )
    # Keep the door's counter past these rows, so entries added later take the next positions.
    type(case).objects.filter(pk=case.pk).update(chain_length=start + rows + len(entries[::5]))
    Evidence.objects.bulk_create(
        Evidence(
            case=case,
            entry=entries[i],
            kind="other",
            file=f"evidence/{case.pk}/{i}.txt",
            original_name=f"{i}.txt",
            content_type="text/plain",
            extension=".txt",
            size=10,
            sha256="0" * 64,
            uploaded_by=case.owner,
            uploaded_at=now,
        )
        for i in range(rows)
    )


def test_case_page_same_queries_for_5_and_200_rows(owner_client, owner):
    measured = {}
    for rows in (5, 200):
        case = CaseFactory(project__client__owner=owner)
        fill_case(case, rows)
        measured[rows] = count_queries(owner_client, case.get_absolute_url())
    print(f"case page queries: {measured}")
    assert measured[5] == measured[200], measured
    # The timeline page: its roots, then its corrections level by level (two levels here, the second empty).
    # A case that has mail with its client adds two (its mail, held replies).
    assert measured[200] <= 15


def busy_case(owner):
    """A case with what a list row could look up one by one: client, project, entries, an open concern,
    evidence, a review and a letter draft."""
    case = CaseFactory(project__client=ClientFactory(owner=owner), stage="platform_support")
    fill_case(case, 3)
    message = entry_add(case=case, author=owner, kind="message_in", channel="email", body="Still waiting?")
    assert message.concern.state == "open"
    Review.objects.create(case=case, entered_at=timezone.now())
    Letter.objects.create(
        case=case,
        owner=owner,
        kind="demand",
        subject="Pay",
        body="Please pay.",
        amount_owed=1,
        currency=case.currency,
        payment_instructions="Bank",
        created_by=owner,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return case


def busy_client(owner):
    client = ClientFactory(owner=owner)
    WarningSignFactory(client=client)
    busy_case_for_client(owner, client)
    return client


def busy_case_for_client(owner, client):
    case = CaseFactory(project__client=client)
    fill_case(case, 2)
    return case


def busy_project(owner):
    case = busy_case_for_client(owner, ClientFactory(owner=owner))
    AgreementFactory(project=case.project, version=1)
    MilestoneFactory(project=case.project)
    return case.project


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("disputes:case_list", busy_case),
        ("disputes:client_list", busy_client),
        ("disputes:project_list", busy_project),
        ("disputes:dashboard", busy_case),
    ],
)
def test_lists_same_queries_for_5_and_40_busy_rows(owner_client, owner, settings, url_name, make):
    settings.PAGE_SIZE = 500  # every row on one page, so rows rendered grow with the data
    measured = {}
    made = 0
    for target in (5, 40):
        while made < target:
            make(owner)
            made += 1
        measured[target] = count_queries(owner_client, reverse(url_name))
    print(f"{url_name} queries: {measured}")
    assert measured[5] == measured[40], measured


def test_the_staff_queue_same_queries_for_5_and_40_busy_cases(client, staff, owner):
    client.force_login(staff)
    measured = {}
    made = 0
    for target in (5, 40):
        while made < target:
            busy_case(owner)
            made += 1
        measured[target] = count_queries(client, reverse("disputes:staff_queue"))
    assert measured[5] == measured[40], measured


@pytest.mark.parametrize("viewer", ["staff", "mediator"])
def test_staff_and_mediator_case_pages_same_queries_for_5_and_200_rows(client, owner, viewer):
    measured = {}
    for rows in (5, 200):
        case = CaseFactory(project__client__owner=owner, stage="mediation")
        fill_case(case, rows)
        if viewer == "staff":
            client.force_login(UserFactory(is_staff=True))
            url = reverse("disputes:staff_case", args=[case.pk])
        else:
            mediator = UserFactory()
            _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
            mediator_accept(token=token, user=mediator)
            client.force_login(mediator)
            url = reverse("disputes:mediation_case", args=[case.pk])
        measured[rows] = count_queries(client, url)
    assert measured[5] == measured[200], measured


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_navigation_bar_counts_cost_one_query(client, owner, is_staff):
    """Overdue, due soon and (for staff) the review queue: one query together, once per request."""
    user = UserFactory(is_staff=is_staff)
    now = timezone.now()
    CaseFactory(project__client__owner=user, response_due_at=now - datetime.timedelta(hours=1))
    CaseFactory(project__client__owner=user, response_due_at=now + datetime.timedelta(hours=1))
    escalated = CaseFactory(project__client__owner=owner, stage="platform_support")
    Review.objects.create(case=escalated, entered_at=now)
    client.force_login(user)
    url = reverse("disputes:profile")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1, counting
    assert "1 overdue" in html and "1 due soon" in html
    assert ('data-testid="nav-queue">Review queue <span class="badge text-bg-light">1</span>' in html) is is_staff
