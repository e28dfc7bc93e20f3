"""Private and shared entries: a freelancer's own notes stay theirs."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disputes.models import TimelineEntry
from disputes.services.cases import case_move
from disputes.services.mediation import mediator_accept, mediator_invite
from disputes.services.record import chain_verify
from disputes.services.timeline import entry_add, entry_correct
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Lowest I would accept: 900 EUR"


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner, stage="mediation", title="Mediated")


def test_a_note_is_private_unless_shared_and_everything_else_is_shared(case, owner):
    note = entry_add(case=case, author=owner, kind="note", body=SECRET)
    shared_note = entry_add(case=case, author=owner, kind="note", body="Sent v2 today", shared=True)
    message = entry_add(case=case, author=owner, kind="message_in", channel="email", body="Where is it?")
    assert (note.shared, shared_note.shared, message.shared) == (False, True, True)
    with pytest.raises(ValidationError, match="Only your own notes can be private"):
        entry_add(case=case, author=owner, kind="message_out", channel="email", body="x", shared=False)
    assert chain_verify(case=case).ok


def test_a_correction_keeps_the_originals_visibility(case, owner):
    note = entry_add(case=case, author=owner, kind="note", body=SECRET)
    correction = entry_correct(original=note, author=owner, body="Lowest: 950 EUR", happened_at=note.happened_at)
    assert correction.shared is False


def test_the_form_keeps_a_note_private_unless_the_box_is_ticked(case, owner_client):
    url = reverse("disputes:entry_add", args=[case.pk])
    owner_client.post(url, {"kind": "note", "body": SECRET})
    owner_client.post(url, {"kind": "note", "body": "Shared note", "share": "on"})
    # The box means nothing for a message: it is shared whatever it says.
    owner_client.post(url, {"kind": "message_in", "channel": "email", "body": "Client wrote"})
    assert dict(TimelineEntry.objects.filter(case=case).values_list("body", "shared")) == {
        SECRET: False,
        "Shared note": True,
        "Client wrote": True,
    }


def test_the_owner_sees_which_entries_are_private(case, owner, owner_client):
    entry_add(case=case, author=owner, kind="note", body=SECRET)
    entry_add(case=case, author=owner, kind="message_in", channel="email", body="Where is it?")
    page = owner_client.get(case.get_absolute_url()).content.decode()
    assert SECRET in page
    assert page.count('data-testid="private-badge"') == 1
    assert "Shared" in page


def test_a_mediator_never_sees_a_private_note(case, owner, client):
    entry_add(case=case, author=owner, kind="note", body=SECRET)
    original = TimelineEntry.objects.get(body=SECRET)
    entry_correct(original=original, author=owner, body=f"{SECRET} (corrected)", happened_at=original.happened_at)
    entry_add(case=case, author=owner, kind="note", body="Shared with the mediator", shared=True)
    mediator = UserFactory(email="mia@mediators.example")
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    client.force_login(mediator)
    page = client.get(reverse("disputes:mediation_case", args=[case.pk])).content.decode()
    assert "Shared with the mediator" in page
    assert "Lowest I would accept" not in page
    assert "only shared entries are shown" in page.lower()


def test_staff_never_see_a_private_note(owner, staff, client):
    case = CaseFactory(project__client__owner=owner)
    entry_add(case=case, author=owner, kind="note", body=SECRET)
    entry_add(case=case, author=owner, kind="note", body="For staff too", shared=True)
    case_move(case=case, actor=owner, move="fast_track", reason="Threats", ground="conduct")
    client.force_login(staff)
    page = client.get(reverse("disputes:staff_case", args=[case.pk])).content.decode()
    assert "For staff too" in page
    assert "Lowest I would accept" not in page
