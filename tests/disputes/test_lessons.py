"""Lessons come back when new work starts: with the same client, or on the same kind of work."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from disputes.selectors_lessons import lessons_for
from disputes.services.cases import case_move
from tests.factories import CaseFactory, ClientFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _closed(owner, *, client=None, work_kind="", lesson, when):
    project = ProjectFactory(client=client or ClientFactory(owner=owner), work_kind=work_kind)
    case = CaseFactory(project=project)
    with time_machine.travel(when, tick=False):
        case_move(case=case, actor=owner, move="resolve", reason="Done", outcome="paid_in_full",
                  root_cause_kind="unclear_scope", lessons_learned=lesson)  # fmt: skip
    return case


@pytest.fixture
def past(owner):
    acme = ClientFactory(owner=owner, name="Acme")
    # fmt: off
    return {
        "acme": acme,
        "acme_logo": _closed(owner, client=acme, work_kind="design", lesson="Two rounds of changes, written.",
                             when=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)),
        "other_design": _closed(owner, work_kind="design", lesson="Sketches before colour.",
                                when=dt.datetime(2026, 3, 5, tzinfo=dt.UTC)),
        "other_code": _closed(owner, work_kind="development", lesson="Tests in the price.",
                              when=dt.datetime(2026, 4, 5, tzinfo=dt.UTC)),
        "other_other": _closed(owner, work_kind="other", lesson="Vague brief.",
                               when=dt.datetime(2026, 5, 5, tzinfo=dt.UTC)),
    }
    # fmt: on


def test_the_same_client_comes_first_then_the_same_kind_of_work(owner, past):
    found = lessons_for(owner, past["acme"].pk, "design")
    assert found == [past["acme_logo"], past["other_design"]]
    assert found[0].same_client and found[0].same_kind and not found[1].same_client and found[1].same_kind


def test_a_kind_of_work_alone_finds_cases_with_any_client(owner, past):
    assert lessons_for(owner, None, "development") == [past["other_code"]]
    assert lessons_for(owner, ClientFactory(owner=owner).pk, "development") == [past["other_code"]]


def test_other_unknown_or_no_kind_matches_nothing_by_kind(owner, past):
    assert lessons_for(owner, None, "other") == []
    assert lessons_for(owner, None, "poetry") == []
    assert lessons_for(owner, None, "") == []
    assert lessons_for(owner, past["acme"].pk, "") == [past["acme_logo"]]


def test_another_users_cases_never_come_back(owner, past, outsider):
    assert lessons_for(outsider, past["acme"].pk, "design") == []
    _closed(outsider, work_kind="development", lesson="Not yours.", when=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert [case.lessons_learned for case in lessons_for(owner, None, "development")] == ["Tests in the price."]


def test_the_new_project_panel_follows_the_chosen_client_and_kind(owner_client, past):
    url = reverse("disputes:project_lessons")
    html = owner_client.get(url, {"work_kind": "design"}).content.decode()
    assert "You had a case on this kind of work before." in html
    assert "Sketches before colour." in html and "Tests in the price." not in html
    assert "design and illustration" in html  # why a case with another client is shown
    html = owner_client.get(url, {"client": past["acme"].pk}).content.decode()
    assert "You had a case with Acme before." in html and "Sketches" not in html
    empty = owner_client.get(url, {"client": "99999999999999999999", "work_kind": "<b>"}).content.decode()
    assert 'id="past-lessons-panel"' in empty and 'past-lessons"' not in empty
    page = owner_client.get(reverse("disputes:project_create")).content.decode()
    assert f'data-lessons-url="{url}"' in page and 'id="past-lessons-panel"' in page


def test_a_new_agreement_shows_lessons_from_the_same_kind_of_work(owner_client, owner, past):
    project = ProjectFactory(client__owner=owner, work_kind="development")
    html = owner_client.get(reverse("disputes:agreement_create", args=[project.pk])).content.decode()
    assert "Tests in the price." in html and "Two rounds" not in html


def test_the_kind_of_work_is_saved_and_shown(owner_client, owner):
    client = ClientFactory(owner=owner)
    data = {"client": client.pk, "title": "Logo", "price": "900", "currency": "EUR", "prepayment_percent": 50,
            "status": "active", "work_kind": "design"}  # fmt: skip
    response = owner_client.post(reverse("disputes:project_create"), data)
    project = client.projects.get()
    assert response.status_code == 302 and project.work_kind == "design"
    assert "Design and illustration" in owner_client.get(project.get_absolute_url()).content.decode()
    refused = owner_client.post(reverse("disputes:project_create"), {**data, "work_kind": "poetry", "title": "X"})
    assert refused.status_code == 200 and client.projects.count() == 1
