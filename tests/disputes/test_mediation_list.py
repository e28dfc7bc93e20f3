"""A mediator's own list of cases, and a navigation that fits someone who only mediates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClientFactory, UserFactory
from tests.routes import build_world

pytestmark = pytest.mark.django_db


def test_someone_who_only_mediates_lands_on_their_cases_without_the_owners_lists(client, owner):
    world = build_world(owner)
    client.force_login(world.access.mediator)
    response = client.get(reverse("disputes:dashboard"))
    assert response.status_code == 302 and response.url == reverse("disputes:mediation_cases")
    page = client.get(reverse("disputes:mediation_cases")).content.decode()
    assert world.case.title in page and reverse("disputes:mediation_case", args=[world.case.pk]) in page
    assert 'data-testid="nav-mediation"' in page
    for owners_list in ("disputes:client_list", "disputes:project_list", "disputes:reports", "disputes:case_list"):
        assert f'href="{reverse(owners_list)}"' not in page, owners_list


def test_a_revoked_access_leaves_the_list_and_the_navigation(client, owner):
    world = build_world(owner)
    world.access.revoked_at = timezone.now()
    world.access.save()
    client.force_login(world.access.mediator)
    page = client.get(reverse("disputes:mediation_cases")).content.decode()
    assert world.case.title not in page and "You mediate no case at the moment." in page
    assert 'data-testid="nav-mediation"' not in page


def test_another_mediator_sees_none_of_it(client, owner):
    world = build_world(owner)
    client.force_login(UserFactory())
    page = client.get(reverse("disputes:mediation_cases")).content.decode()
    assert world.case.title not in page and "You mediate no case" in page
    # Someone new sees the owner's lists (empty), not a mediator's navigation.
    assert client.get(reverse("disputes:dashboard")).status_code == 200


def test_a_freelancer_who_also_mediates_keeps_both(client, owner):
    world = build_world(owner)
    mediator = world.access.mediator
    ClientFactory(owner=mediator)
    client.force_login(mediator)
    page = client.get(reverse("disputes:dashboard")).content.decode()
    assert 'data-testid="nav-mediation"' in page and f'href="{reverse("disputes:client_list")}"' in page


def test_the_list_costs_the_same_for_one_case_or_many(client, owner, django_assert_max_num_queries):
    world = build_world(owner)
    client.force_login(world.access.mediator)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("disputes:mediation_cases")).status_code == 200


def test_the_mediators_case_page_leads_back_to_their_list(client, owner):
    world = build_world(owner)
    client.force_login(world.access.mediator)
    page = client.get(reverse("disputes:mediation_case", args=[world.case.pk])).content.decode()
    assert f'href="{reverse("disputes:mediation_cases")}"' in page and "Cases you mediate" in page
