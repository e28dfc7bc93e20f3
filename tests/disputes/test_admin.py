"""The admin is an operator console: it reads everything, deletes nothing, and acts through services."""

import pytest
from django.urls import reverse

from accounts.models import User
from disputes.models import Case, Client, Evidence, Project, Review, ReviewAction, TimelineEntry
from disputes.services.cases import case_move
from disputes.services.timeline import entry_add
from tests.factories import PASSWORD, CaseFactory, EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client.force_login(admin)
    return admin


@pytest.fixture
def escalated():
    case = CaseFactory(title="Escalated")
    EntryFactory(case=case)
    return case_move(case=case, actor=case.owner, move="fast_track", reason="Threats", ground="conduct")


RECORDS = {
    "case": lambda c: c,
    "client": lambda c: c.client,
    "project": lambda c: c.project,
    "review": lambda c: c.reviews.get(),
    "timelineentry": lambda c: c.entries.first(),
}


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_records_cannot_be_deleted_or_changed_from_the_admin(client, root, escalated, model):
    obj = RECORDS[model](escalated)
    base = f"/admin/disputes/{model}/"
    assert client.get(f"{base}{obj.pk}/delete/").status_code == 403
    assert client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.get(base)
    assert changelist.status_code == 200 and "delete_selected" not in changelist.content.decode()
    assert client.post(
        base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    ).status_code in (
        200,
        302,
    )
    page = client.get(f"{base}{obj.pk}/change/")
    assert page.status_code == 200 and 'type="submit" value="Save"' not in page.content.decode()
    assert client.post(f"{base}{obj.pk}/change/", {"title": "Hijacked", "name": "Hijacked"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert Case.objects.get(pk=escalated.pk).title == "Escalated"


def test_nothing_can_be_added_from_the_admin(client, root):
    for model in ("case", "client", "project", "timelineentry", "evidence", "review", "letter", "milestone"):
        assert client.get(f"/admin/disputes/{model}/add/").status_code == 403, model


def test_deleting_a_freelancer_is_refused_while_they_have_records(client, root, escalated):
    owner = escalated.owner
    response = client.post(f"/admin/accounts/user/{owner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200 and "Cannot delete user" in response.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()
    counts = (Case.objects.count(), Client.objects.count(), Project.objects.count(), TimelineEntry.objects.count())
    assert counts == (1, 1, 1, 3)  # opened, moved to platform support, sealed


def test_closing_reviews_from_the_admin_goes_through_the_service(client, root, escalated):
    review = escalated.reviews.get()
    response = client.post(
        "/admin/disputes/review/", {"action": "close_reviews", "_selected_action": [review.pk]}, follow=True
    )
    assert "1 review(s) closed" in response.content.decode()
    review.refresh_from_db()
    assert review.state == "closed" and review.closed_by == root
    action = ReviewAction.objects.get(review=review)
    assert action.kind == "closed" and action.actor == root
    # A second time there is nothing open to close, and nothing new is written.
    client.post("/admin/disputes/review/", {"action": "close_reviews", "_selected_action": [review.pk]})
    assert ReviewAction.objects.filter(review=review).count() == 1
    assert Review.objects.in_queue().count() == 0


def test_assigning_from_the_admin_goes_through_the_service(client, root, escalated):
    review = escalated.reviews.get()
    client.post("/admin/disputes/review/", {"action": "assign_to_me", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.assigned_to == root
    assert ReviewAction.objects.get(review=review).kind == "assigned"


def test_evidence_is_read_only(client, root, escalated):
    assert client.get("/admin/disputes/evidence/").status_code == 200
    assert not Evidence.objects.exists()
    assert client.get(reverse("admin:disputes_evidence_add")).status_code == 403


def test_private_notes_are_not_shown_in_the_admin(client, root, escalated):
    entry_add(case=escalated, author=escalated.owner, kind="note", body="My lowest offer is 900")
    client.force_login(root)
    listing = client.get(reverse("admin:disputes_timelineentry_changelist")).content.decode()
    case_page = client.get(reverse("admin:disputes_case_change", args=[escalated.pk])).content.decode()
    assert "My lowest offer" not in listing and "My lowest offer" not in case_page
