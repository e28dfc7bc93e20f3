"""Pages run a fixed number of queries, however many rows stand behind them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Evidence, TimelineEntry
from tests.factories import CaseFactory, ClientFactory, ProjectFactory, WarningSignFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def fill_case(case, rows: int) -> None:
    now = timezone.now()
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind="message_in" if i % 2 else "message_out",
            channel="email",
            body=f"Message {i}",
            happened_at=now - datetime.timedelta(minutes=rows - i),
            recorded_at=now,
            author=case.owner,
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
        )
        for e in entries[::5]
    )
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
    assert measured[200] <= 12


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("disputes:case_list", lambda owner: CaseFactory(project__client=ClientFactory(owner=owner))),
        ("disputes:client_list", lambda owner: WarningSignFactory(client=ClientFactory(owner=owner))),
        ("disputes:project_list", lambda owner: ProjectFactory(client__owner=owner)),
        ("disputes:dashboard", lambda owner: CaseFactory(project__client__owner=owner)),
    ],
)
def test_lists_same_queries_for_5_and_200_rows(owner_client, owner, settings, url_name, make):
    settings.PAGE_SIZE = 500  # every row on one page, so rows rendered grow with the data
    measured = {}
    made = 0
    for target in (5, 200):
        while made < target:
            make(owner)
            made += 1
        measured[target] = count_queries(owner_client, reverse(url_name))
    print(f"{url_name} queries: {measured}")
    assert measured[5] == measured[200], measured
