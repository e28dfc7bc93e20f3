"""Archiving: out of the lists, never deleted, back exactly as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.models import Case, Client, Project, TimelineEntry
from disputes.services.archive import archive, restore
from disputes.services.cases import case_move
from tests.factories import CaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(owner):
    case = CaseFactory(project__client__owner=owner, title="Old dispute")
    return case_move(case=case, actor=owner, move="resolve", reason="Paid", outcome="paid_in_full")


def listed_titles(client, name: str, **params) -> str:
    return client.get(reverse(f"disputes:{name}"), params).content.decode()


def test_an_archived_case_leaves_the_list_and_comes_back(closed_case, owner, owner_client):
    entries = TimelineEntry.objects.filter(case=closed_case).count()
    owner_client.post(reverse("disputes:case_archive", args=[closed_case.pk]))
    assert "Old dispute" not in listed_titles(owner_client, "case_list")
    archived = listed_titles(owner_client, "case_list", archived="1")
    assert "Old dispute" in archived and 'data-testid="archived-view"' in archived
    page = owner_client.get(closed_case.get_absolute_url()).content.decode()
    assert 'data-testid="archived-banner"' in page
    owner_client.post(reverse("disputes:case_restore", args=[closed_case.pk]))
    assert "Old dispute" in listed_titles(owner_client, "case_list")
    assert TimelineEntry.objects.filter(case=closed_case).count() == entries  # nothing was touched


def test_an_open_case_is_not_archived(owner, owner_client):
    case = CaseFactory(project__client__owner=owner)
    with pytest.raises(ValidationError, match="Close the case first"):
        archive(record=case, actor=owner)
    response = owner_client.post(reverse("disputes:case_archive", args=[case.pk]), follow=True)
    assert "was not archived: Close the case first" in response.content.decode()
    assert Case.objects.get(pk=case.pk).archived_at is None


def test_a_client_with_an_open_case_stays_and_an_archived_one_takes_its_work_along(closed_case, owner, owner_client):
    client = closed_case.client
    open_case = CaseFactory(project=ProjectFactory(client=client, owner=owner), client=client, owner=owner)
    with pytest.raises(ValidationError, match="has 1 open case"):
        archive(record=client, actor=owner)
    case_move(case=open_case, actor=owner, move="walk_away", reason="Not worth it", outcome="written_off")
    archive(record=client, actor=owner)
    assert client.name not in listed_titles(owner_client, "client_list")
    assert not Project.objects.for_owner(owner).listed().exists()
    assert not Case.objects.for_owner(owner).listed().exists()
    assert "Old dispute" not in listed_titles(owner_client, "case_list")
    assert "Old dispute" in listed_titles(owner_client, "case_list", archived="1")
    project_page = owner_client.get(closed_case.project.get_absolute_url()).content.decode()
    assert "Out of your lists with its archived client" in project_page
    restore(record=Client.objects.get(pk=client.pk), actor=owner)
    assert Case.objects.for_owner(owner).listed().count() == 2


def test_archiving_twice_changes_nothing_and_restore_is_idempotent(closed_case, owner):
    first = archive(record=closed_case, actor=owner).archived_at
    assert archive(record=closed_case, actor=owner).archived_at == first
    restore(record=closed_case, actor=owner)
    assert restore(record=closed_case, actor=owner).archived_at is None


def test_archived_clients_and_projects_are_not_offered_for_new_work(closed_case, owner, owner_client):
    archive(record=closed_case.project, actor=owner)
    page = owner_client.get(reverse("disputes:case_open")).content.decode()
    assert closed_case.project.title not in page
    archive(record=closed_case.client, actor=owner)
    page = owner_client.get(reverse("disputes:project_create")).content.decode()
    assert f">{closed_case.client.name}<" not in page


def test_another_freelancer_cannot_archive_or_restore(closed_case, outsider, client):
    client.force_login(outsider)
    for name in ("case_archive", "case_restore"):
        assert client.post(reverse(f"disputes:{name}", args=[closed_case.pk])).status_code == 404
    for name in ("client_archive", "project_archive"):
        target = closed_case.client if name.startswith("client") else closed_case.project
        assert client.post(reverse(f"disputes:{name}", args=[target.pk])).status_code == 404
    assert Case.objects.get(pk=closed_case.pk).archived_at is None


def test_the_archived_count_is_the_archived_filter_each_way_once(owner, owner_client):
    """Archived itself, through its client, through its project, and both at once: each case counted
    once, another freelancer's archived cases not at all, and the count stops at the cap."""
    from django.utils import timezone

    from disputes.selectors import archived_case_count

    now = timezone.now()
    itself, via_client, via_project, both, listed = (
        CaseFactory(project__client__owner=owner, title=f"Case {n}") for n in range(5)
    )
    Case.objects.filter(pk=itself.pk).update(archived_at=now)
    Client.objects.filter(pk=via_client.client_id).update(archived_at=now)
    Project.objects.filter(pk=via_project.project_id).update(archived_at=now)
    Case.objects.filter(pk=both.pk).update(archived_at=now)
    Client.objects.filter(pk=both.client_id).update(archived_at=now)
    other = CaseFactory(title="Someone else's")
    Case.objects.filter(pk=other.pk).update(archived_at=now)
    Client.objects.filter(pk=other.client_id).update(archived_at=now)

    assert archived_case_count(owner, 1000) == Case.objects.for_owner(owner).archived().count() == 4
    assert archived_case_count(owner, 2) == 3  # at most cap + 1 read
    assert 'data-testid="archived-link"><i class="bi bi-archive" aria-hidden="true"></i> 4 archived' in listed_titles(
        owner_client, "case_list"
    )
    assert listed.pk not in Case.objects.archived().values_list("pk", flat=True)


def test_the_shelved_flag_follows_every_way_a_case_is_archived(owner, closed_case):
    """`Case.shelved` (what the lists read) always says what the joins say: the case, its project or
    its client archived, whichever write changed it, an old copy of the case saved over it included."""
    from django.db.models import Q
    from django.utils import timezone

    def by_joins() -> set[int]:
        archived = Q(archived_at__isnull=False) | Q(project__archived_at__isnull=False)
        return set(Case.objects.filter(archived | Q(client__archived_at__isnull=False)).values_list("pk", flat=True))

    def shelved() -> set[int]:
        return set(Case.objects.filter(shelved=True).values_list("pk", flat=True))

    sibling = CaseFactory(project=closed_case.project, client=closed_case.client, owner=owner)
    other_project = ProjectFactory(owner=owner, client=closed_case.client)
    elsewhere = CaseFactory(project=other_project, client=closed_case.client, owner=owner)
    Case.objects.filter(pk__in=[sibling.pk, elsewhere.pk]).update(status="resolved")
    assert shelved() == by_joins() == set()

    stale = Case.objects.get(pk=closed_case.pk)  # read before its client is archived
    archive(record=closed_case.client, actor=owner)
    assert shelved() == by_joins() == {closed_case.pk, sibling.pk, elsewhere.pk}
    stale.title = "Saved from an old copy"
    stale.save()  # writes shelved=False from the copy: the database works it out again
    assert shelved() == by_joins() == {closed_case.pk, sibling.pk, elsewhere.pk}

    restore(record=Client.objects.get(pk=closed_case.client_id), actor=owner)
    assert shelved() == by_joins() == set()
    Project.objects.filter(pk=other_project.pk).update(archived_at=timezone.now())
    assert shelved() == by_joins() == {elsewhere.pk}
    newcomer = CaseFactory(project=other_project, client=closed_case.client, owner=owner)
    assert shelved() == by_joins() == {elsewhere.pk, newcomer.pk}
    Case.objects.filter(pk=newcomer.pk).update(project=closed_case.project)  # moved to a listed project
    assert shelved() == by_joins() == {elsewhere.pk}
    archive(record=Case.objects.get(pk=closed_case.pk), actor=owner)
    Project.objects.filter(pk=other_project.pk).update(archived_at=None)
    assert shelved() == by_joins() == {closed_case.pk}
    Case.objects.filter(pk=closed_case.pk).update(shelved=False)  # a direct write cannot unshelve it either
    assert shelved() == by_joins() == {closed_case.pk}
    assert list(Case.objects.for_owner(owner).archived()) == [Case.objects.get(pk=closed_case.pk)]


def test_an_archived_case_is_restored_before_it_reopens(owner, closed_case):
    from disputes.services.cases import MoveRefused

    archive(record=closed_case, actor=owner)
    with pytest.raises(MoveRefused, match="archived"):
        case_move(case=closed_case, actor=owner, move="reopen", reason="They wrote again")
    assert Case.objects.get(pk=closed_case.pk).status == "resolved"
    restore(record=closed_case, actor=owner)
    project = Project.objects.get(pk=closed_case.project_id)
    archive(record=project, actor=owner)  # archived with its project: the same
    with pytest.raises(MoveRefused, match="archived"):
        case_move(case=closed_case, actor=owner, move="reopen", reason="They wrote again")
    restore(record=project, actor=owner)
    assert case_move(case=closed_case, actor=owner, move="reopen", reason="They wrote again").status == "open"
