"""Prepared reads (disputes.prepared): the same rows and objects as the ORM's query, built once."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case, TimelineEntry
from disputes.prepared import prepared
from disputes.selectors_timeline import _newest_roots, timeline_page
from tests.factories import CaseFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


@prepared
def owner_case(owner_id: int, pk: int):
    return Case.objects.filter(owner_id=owner_id, pk=pk).select_related("project", "client")


@prepared
def cases_with_entry_counts(owner_id: int, *, size: int):
    return Case.objects.filter(owner_id=owner_id).annotate(entries_made=Count("entries")).order_by("pk")[:size]


def test_a_prepared_read_gives_the_orms_objects_with_their_related_ones(case):
    found = owner_case(case.owner_id, case.pk)

    assert len(found) == 1
    got = found[0]
    expected = Case.objects.select_related("project", "client").get(pk=case.pk)
    assert {f.attname: getattr(got, f.attname) for f in Case._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Case._meta.concrete_fields
    }
    with CaptureQueriesContext(connection) as reading:
        assert (got.project.title, got.client.name) == (case.project.title, case.client.name)
    assert len(reading) == 0, "select_related models come with the row"
    assert got._state.adding is False and got._state.db == "default"


def test_each_call_binds_its_own_ids_and_another_owners_case_is_not_found(case):
    other = CaseFactory()

    assert [c.pk for c in owner_case(other.owner_id, other.pk)] == [other.pk]
    assert owner_case(case.owner_id, other.pk) == []
    assert owner_case(other.owner_id, case.pk) == []
    assert [c.pk for c in owner_case(case.owner_id, case.pk)] == [case.pk]


def test_a_prepared_read_is_one_query_and_builds_its_sql_once(case, monkeypatch):
    owner_case(case.owner_id, case.pk)
    compiled = []
    from django.db.models.sql import compiler

    original = compiler.SQLCompiler.as_sql
    monkeypatch.setattr(
        compiler.SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    with CaptureQueriesContext(connection) as reading:
        for _ in range(3):
            owner_case(case.owner_id, case.pk)

    assert len(reading) == 3
    assert compiled == [], "the SQL was built again"


def test_annotations_and_shapes_each_keep_their_own_plan():
    owner = UserFactory()
    first, second = (
        CaseFactory(owner=owner, project__client__owner=owner),
        CaseFactory(owner=owner, project__client__owner=owner),
    )
    EntryFactory(case=first)
    EntryFactory(case=first)

    two = cases_with_entry_counts(owner.pk, size=2)
    one = cases_with_entry_counts(owner.pk, size=1)

    assert [(c.pk, c.entries_made) for c in two] == [(first.pk, 2), (second.pk, 0)]
    assert [c.pk for c in one] == [first.pk]


def test_only_whole_numbers_are_taken(case):
    with pytest.raises(TypeError):
        owner_case(case.owner_id, str(case.pk))
    with pytest.raises(TypeError):
        owner_case(case.owner_id)


def test_a_query_whose_id_lands_in_the_sql_text_is_refused(case):
    @prepared
    def limited(owner_id: int, size: int):
        return Case.objects.filter(owner_id=owner_id)[:size]  # the LIMIT is written into the SQL

    with pytest.raises(ValueError, match="parameter"):
        limited(case.owner_id, 5)


def test_the_newest_timeline_page_matches_the_orms_page_for_owner_and_for_shared_only(case):
    base = timezone.now() - datetime.timedelta(days=3)
    for n in range(7):
        EntryFactory(case=case, happened_at=base + datetime.timedelta(hours=n), shared=n % 2 == 0)
    for shared_only in (False, True):
        visible = case.entries.all() if not shared_only else case.entries.filter(shared=True)
        fast = timeline_page(visible, {}, size=3, case=case, shared_only=shared_only)
        slow = timeline_page(visible, {}, size=3)
        assert [e.pk for e in fast.entries] == [e.pk for e in slow.entries]
        assert (fast.older, fast.newer) == (slow.older, slow.newer)
        assert all(e.case is case for e in fast.entries)
    shared_roots = _newest_roots(case.pk, size=10, shared_only=True)
    assert {e.pk for e in shared_roots} == set(
        TimelineEntry.objects.filter(case=case, shared=True, corrects__isnull=True).values_list("pk", flat=True)
    )
