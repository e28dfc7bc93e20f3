"""The case list reads a bounded number of rows however many cases there are: counts stop at a cap."""

import pytest
from django.urls import reverse

from disputes.views import cases as case_views
from disputes.views import common
from tests.factories import CaseFactory, ClientFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(owner):
    project = ProjectFactory(client=ClientFactory(owner=owner))
    return [CaseFactory(project=project, stage="reminders" if i % 3 else "legal") for i in range(30)]


def test_exact_counts_under_the_cap(owner_client, thirty, settings):
    settings.PAGE_SIZE = 20
    page = owner_client.get(reverse("disputes:case_list")).content.decode()
    assert "30 cases" in page and "Page 1 of 2" in page
    counts = dict(
        (value, int(count))
        for value, _, count in owner_client.get(reverse("disputes:case_list")).context["stage_counts"]
    )
    assert counts["reminders"] == 20 and counts["legal"] == 10


def test_counts_stop_at_the_cap_and_the_pages_still_go_on(owner_client, thirty, settings, monkeypatch):
    settings.PAGE_SIZE = 20
    monkeypatch.setattr(common, "COUNT_CAP", 15)
    monkeypatch.setattr(case_views, "COUNT_CAP", 15)
    response = owner_client.get(reverse("disputes:case_list"))
    page = response.content.decode()
    assert "15+ cases" in page and "Page 1</span>" in page and "page=2" in page
    # Past the cap the stages are left uncounted; a stage's own page counts itself (capped too).
    assert {count for _, _, count in response.context["stage_counts"]} == {None}
    legal = owner_client.get(reverse("disputes:case_list"), {"stage": "legal"})
    assert "10 cases" in legal.content.decode() and len(legal.context["page"].object_list) == 10
    second = owner_client.get(reverse("disputes:case_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 10 and not second.context["page"].has_next()
    shown = {case.pk for case in response.context["page"].object_list} | {
        c.pk for c in second.context["page"].object_list
    }
    assert shown == {case.pk for case in thirty}


def test_a_page_number_out_of_range_or_garbage_is_the_first_or_an_empty_page(owner_client, thirty):
    assert owner_client.get(reverse("disputes:case_list"), {"page": "x"}).context["page"].number == 1
    beyond = owner_client.get(reverse("disputes:case_list"), {"page": 99})
    assert beyond.status_code == 200 and list(beyond.context["page"].object_list) == []


def test_the_client_filter_renders_every_client_without_a_template_per_option(owner_client, owner):
    for i in range(3):
        ClientFactory(owner=owner, name=f"Client <b>{i}</b>")
    page = owner_client.get(reverse("disputes:case_list")).content.decode()
    assert (
        page.count("Client &lt;b&gt;") == 3
        and '<select name="client" class="form-select form-select-sm" id="id_client">' in page
    )


def test_stage_counts_are_exact_up_to_the_cap_and_none_past_it(owner, thirty):
    from disputes.models import Case

    mine = Case.objects.for_owner(owner)
    assert mine.stage_counts(30) == {"reminders": 20, "legal": 10}
    assert mine.filter(stage="legal").stage_counts(10) == {"legal": 10}
    assert mine.stage_counts(29) is None
    assert Case.objects.none().stage_counts(5) == {}
    assert mine.filter(stage="mediation").stage_counts(5) == {}
