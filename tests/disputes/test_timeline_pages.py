"""The case page shows one page of the timeline: newest first by page, older by link, permalinks that work."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import TimelineEntry
from disputes.selectors import OWNER, STAFF, case_view
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def fill(case, n: int, *, start: dt.datetime | None = None) -> list[TimelineEntry]:
    start = start or timezone.now() - dt.timedelta(days=30)
    first = case.entries.count()
    return TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case=case,
            kind="note",
            body=f"Entry {i}",
            happened_at=start + dt.timedelta(minutes=i),
            recorded_at=start + dt.timedelta(minutes=i),
            author=case.owner,
            sequence=first + i + 1,
            shared=i % 7 != 0,
        )
        for i in range(n)
    )


def bodies(view) -> list[str]:
    return [entry.body for entry in view.timeline]


def test_pages_go_back_in_time_and_forward_again(case, settings):
    settings.TIMELINE_PAGE_SIZE = 25
    entries = fill(case, 60)
    newest = case_view(case, viewer=OWNER)
    assert bodies(newest) == [f"Entry {i}" for i in range(35, 60)] and newest.newer is None
    middle = case_view(case, viewer=OWNER, params={"before": str(newest.older)})
    assert bodies(middle) == [f"Entry {i}" for i in range(10, 35)]
    oldest = case_view(case, viewer=OWNER, params={"before": str(middle.older)})
    assert bodies(oldest) == [f"Entry {i}" for i in range(10)] and oldest.older is None
    back = case_view(case, viewer=OWNER, params={"after": str(oldest.newer)})
    assert bodies(back) == bodies(middle)
    # A permalink shows the page that ends with its entry, or the newest page when it is on it.
    at = case_view(case, viewer=OWNER, params={"at": str(entries[3].pk)})
    assert bodies(at)[-1] == "Entry 3" and at.newer is not None
    recent = case_view(case, viewer=OWNER, params={"at": str(entries[50].pk)})
    assert bodies(recent) == bodies(newest) and recent.newer is None


def test_a_correction_permalink_opens_its_original_with_the_chain(case, settings):
    settings.TIMELINE_PAGE_SIZE = 10
    entries = fill(case, 40)
    correction = TimelineEntry.objects.create(
        case=case, kind="note", body="Entry 2, corrected", happened_at=entries[2].happened_at,
        recorded_at=timezone.now(), author=case.owner, sequence=41, corrects=entries[2],
    )  # fmt: skip
    view = case_view(case, viewer=OWNER, params={"at": str(correction.pk)})
    [original] = [entry for entry in view.timeline if entry.pk == entries[2].pk]
    assert [c.body for c in original.correction_chain] == ["Entry 2, corrected"]
    assert all(entry.pk != correction.pk for entry in view.timeline)  # shown under its original only


def test_others_page_over_shared_entries_only_and_bad_cursors_show_the_newest(case, settings):
    settings.TIMELINE_PAGE_SIZE = 25
    fill(case, 50)
    staff = case_view(case, viewer=STAFF)
    assert all(entry.shared for entry in staff.timeline) and len(staff.timeline) == 25
    assert staff.entry_count == TimelineEntry.objects.filter(case=case, shared=True).count()
    other = CaseFactory()
    [foreign] = fill(other, 1)
    for params in ({"before": "abc"}, {"before": str(foreign.pk)}, {"at": "-1"}, {"after": "99999999"}):
        assert bodies(case_view(case, viewer=OWNER, params=params)) == bodies(case_view(case, viewer=OWNER))


def queries(case, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        case_view(case, viewer=OWNER, **kwargs)
    return len(captured)


def test_a_case_of_2500_entries_costs_what_a_case_of_25_costs(owner):
    small, large = CaseFactory(project__client__owner=owner), CaseFactory(project__client__owner=owner)
    fill(small, 25)
    entries = fill(large, 2500)
    assert queries(small) == queries(large)
    # A permalink adds three small queries: the entry, whether it is on the newest page, whether newer exist.
    assert queries(large, params={"at": str(entries[100].pk)}) <= queries(large) + 3


def test_the_blank_entry_form_is_rendered_once_and_a_form_with_errors_keeps_the_input(owner_client, case):
    from django.urls import reverse

    from disputes.views import cases as case_views

    case_views._blank_entry_form.cache_clear()
    owner_client.get(case.get_absolute_url())
    owner_client.get(case.get_absolute_url())
    assert case_views._blank_entry_form.cache_info().hits >= 1
    response = owner_client.post(
        reverse("disputes:entry_add", args=[case.pk]), {"kind": "message_in", "body": "Kept words <b>"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kept words &lt;b&gt;" in page and "Say through which channel" in page


def test_entries_by_other_people_name_them_in_one_query_however_many(case, settings):
    from tests.factories import UserFactory

    settings.TIMELINE_PAGE_SIZE = 25
    fill(case, 10)
    owner_only = queries(case)
    assert all(entry.author.pk == case.owner_id for entry in case_view(case, viewer=OWNER).timeline)
    helpers = [UserFactory(name=f"Helper {i}") for i in range(3)]
    start = timezone.now() - dt.timedelta(days=1)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(case=case, kind="note", body=f"By {user.name}", happened_at=start + dt.timedelta(minutes=i),
                      recorded_at=start, author=user, sequence=20 + i, shared=True)
        for i, user in enumerate(helpers * 2)
    )  # fmt: skip
    view = case_view(case, viewer=OWNER)
    named = {entry.body: entry.author.display_name for entry in view.timeline if entry.body.startswith("By ")}
    assert named == {f"By {user.name}": user.name for user in helpers}
    assert queries(case) == owner_only + 1  # six entries by three people: one more query, not six
    # A case read without its owner (as staff and mediators read it) still names everyone.
    from disputes.models import Case

    bare = Case.objects.get(pk=case.pk)
    authors = {entry.author.pk for entry in case_view(bare, viewer=STAFF).timeline}
    assert authors <= {case.owner_id, *(user.pk for user in helpers)} and len(authors) >= 2
