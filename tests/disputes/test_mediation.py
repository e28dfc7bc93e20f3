"""Mediators: single-use invitations, access to one case, notes and settlements."""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from disputes.models import MediatorAccess, MediatorInvitation, Notification, SettlementProposal, TimelineEntry
from disputes.services.cases import case_move
from disputes.services.mediation import (
    InvitationInvalid,
    invitation_revoke,
    mediator_accept,
    mediator_invite,
    mediator_note,
    mediator_revoke,
    settlement_answer,
    settlement_propose,
)
from disputes.services.sweep import sweep_run
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediation_case(owner):
    return CaseFactory(project__client__owner=owner, stage="mediation", title="Mediated case")


@pytest.fixture
def mediator():
    return UserFactory(email="mia@mediators.example")


def test_the_invitation_stores_only_a_hash_and_emails_the_link(mediation_case, owner, mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    invitation, token = mediator_invite(case=mediation_case, owner=owner, email="Mia@Mediators.example")
    assert invitation.email == "mia@mediators.example"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(MediatorInvitation.objects.values().get())
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    sweep_run()
    [mail] = mailoutbox
    assert mail.to == ["mia@mediators.example"]
    link = re.search(r"https://settle\.example\.com(/mediation/invitations/\S+/)", mail.body).group(1)
    assert token in link


def test_invitations_only_on_the_mediation_rung(owner):
    case = CaseFactory(project__client__owner=owner, stage="platform_support")
    with pytest.raises(ValidationError):
        mediator_invite(case=case, owner=owner, email="m@example.com")
    with pytest.raises(ValidationError):
        mediator_invite(
            case=CaseFactory(project__client__owner=owner, stage="mediation"), owner=owner, email=owner.email
        )


def test_a_link_works_once(mediation_case, owner, mediator):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    access = mediator_accept(token=token, user=mediator)
    assert access.case == mediation_case
    with pytest.raises(InvitationInvalid):
        mediator_accept(token=token, user=mediator)
    assert MediatorAccess.objects.count() == 1


def test_a_link_expires_after_seven_days(mediation_case, owner, mediator):
    with time_machine.travel("2026-06-01 10:00:00+00:00", tick=False):
        _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    with time_machine.travel("2026-06-08 09:59:00+00:00", tick=False):
        from disputes.services.mediation import invitation_for_token

        assert invitation_for_token(token)
    with time_machine.travel("2026-06-08 10:00:00+00:00", tick=False), pytest.raises(InvitationInvalid):
        mediator_accept(token=token, user=mediator)


def test_a_withdrawn_link_and_an_unknown_token_do_not_work(mediation_case, owner, mediator):
    invitation, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    assert invitation_revoke(invitation=invitation, owner=owner)
    with pytest.raises(InvitationInvalid):
        mediator_accept(token=token, user=mediator)
    with pytest.raises(InvitationInvalid):
        mediator_accept(token="made-up-token", user=mediator)


def test_the_link_is_for_the_invited_address_only(mediation_case, owner, mediator):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    with pytest.raises(ValidationError):
        mediator_accept(token=token, user=UserFactory(email="someone-else@example.com"))
    assert mediator_accept(token=token, user=mediator)


def test_a_link_for_another_case_opens_that_case_only(owner, mediator, client):
    first = CaseFactory(project__client__owner=owner, stage="mediation")
    second = CaseFactory(project__client__owner=owner, stage="mediation")
    _, token = mediator_invite(case=first, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    client.force_login(mediator)
    assert client.get(reverse("disputes:mediation_case", args=[first.pk])).status_code == 200
    assert client.get(reverse("disputes:mediation_case", args=[second.pk])).status_code == 404
    assert client.get(first.get_absolute_url()).status_code == 404  # not the freelancer's own page


def test_revoked_mediators_lose_access(mediation_case, owner, mediator, client):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    access = mediator_accept(token=token, user=mediator)
    client.force_login(mediator)
    url = reverse("disputes:mediation_case", args=[mediation_case.pk])
    assert client.get(url).status_code == 200
    assert mediator_revoke(access=access, owner=owner)
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        mediator_note(case=mediation_case, mediator=mediator, body="still here?")


def test_notes_and_a_settlement_accepted_by_the_freelancer(mediation_case, owner, mediator, mailoutbox):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    note = mediator_note(case=mediation_case, mediator=mediator, body="Both sides agree the logo was delivered.")
    assert note.kind == "mediator_note" and note.author == mediator
    proposal = settlement_propose(
        case=mediation_case,
        mediator=mediator,
        amount=Decimal("180.00"),
        terms="Client pays 180 within 10 days; freelancer hands over source files.",
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    assert proposal.entry.kind == "settlement" and "180.00 USD" in proposal.entry.body
    answered = settlement_answer(proposal=proposal, owner=owner, accept=True, note="Fair.")
    assert answered.status == "accepted"
    answer_entry = TimelineEntry.objects.get(kind="settlement_answer")
    assert answer_entry.author == owner and "Accepted" in answer_entry.body and answer_entry.about == proposal.entry
    with pytest.raises(ValidationError):
        settlement_answer(proposal=proposal, owner=owner, accept=False)
    sweep_run()
    assert [m.to for m in mailoutbox if "settlement" in m.subject] == [[owner.email]]


def test_a_settlement_cannot_be_answered_by_someone_else(mediation_case, owner, mediator, outsider):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    proposal = settlement_propose(
        case=mediation_case, mediator=mediator, amount=Decimal("1"), terms="x", deadline=timezone.localdate()
    )
    from disputes.services.common import NotYours

    with pytest.raises(NotYours):
        settlement_answer(proposal=proposal, owner=outsider, accept=True)
    assert SettlementProposal.objects.get().status == "proposed"


@pytest.mark.parametrize(
    ("amount", "terms", "days"), [(Decimal("-1"), "x", 1), (Decimal("1"), " ", 1), (Decimal("1"), "x", -1)]
)
def test_bad_settlements_are_refused(mediation_case, owner, mediator, amount, terms, days):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    with pytest.raises(ValidationError):
        settlement_propose(
            case=mediation_case,
            mediator=mediator,
            amount=amount,
            terms=terms,
            deadline=timezone.localdate() + dt.timedelta(days=days),
        )
    assert not SettlementProposal.objects.exists()


def test_the_invitation_page_for_visitors_and_the_invited_mediator(mediation_case, owner, mediator, client):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    url = reverse("disputes:mediation_invitation", args=[token])
    page = client.get(url).content.decode()
    assert "Create an account" in page and "Mediated case" in page
    client.force_login(UserFactory(email="wrong@example.com"))
    response = client.post(url)
    assert response.status_code == 400 and "sent to mia@mediators.example" in response.content.decode()
    client.force_login(mediator)
    response = client.post(url)
    assert response["Location"] == reverse("disputes:mediation_case", args=[mediation_case.pk])
    assert client.get(url).status_code == 404  # used
    assert client.get(reverse("disputes:mediation_invitation", args=["nope"])).status_code == 404


def test_a_new_mediator_signs_up_from_the_link(mediation_case, owner, client, mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    _, token = mediator_invite(case=mediation_case, owner=owner, email="newbie@example.com")
    url = reverse("disputes:mediation_invitation", args=[token])
    response = client.post(
        reverse("accounts:sign_up") + f"?next={url}",
        {"email": "newbie@example.com", "time_zone": "UTC", "next": url},
    )
    assert response["Location"] == reverse("accounts:sign_up_sent")
    [confirm] = [m for m in mailoutbox if m.to == ["newbie@example.com"] and "Confirm" in m.subject]
    link = re.search(r"https://settle\.example\.com(/accounts/sign-up/\S+)", confirm.body).group(1)
    chosen = client.post(link, {"new_password1": "a-long-enough-phrase", "new_password2": "a-long-enough-phrase"})
    assert chosen["Location"] == url
    assert client.post(url)["Location"] == reverse("disputes:mediation_case", args=[mediation_case.pk])


def test_the_freelancer_manages_mediators_from_the_case(owner_client, mediation_case, mediator):
    url = reverse("disputes:case_mediators", args=[mediation_case.pk])
    assert owner_client.post(url, {"email": "not-an-email"}).status_code == 400
    owner_client.post(url, {"email": mediator.email})
    invitation = MediatorInvitation.objects.get()
    assert Notification.objects.filter(key=f"mediator-invitation:{invitation.pk}").exists()
    owner_client.post(reverse("disputes:invitation_revoke", args=[mediation_case.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "withdrawn" in owner_client.get(url).content.decode()


def test_moving_off_the_mediation_rung_keeps_access_until_revoked(mediation_case, owner, mediator):
    _, token = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    case_move(case=mediation_case, actor=owner, move="escalate", reason="To court")
    assert MediatorAccess.objects.active().filter(case=mediation_case).exists()


def test_accepting_a_second_invitation_to_the_same_case_keeps_one_access(mediation_case, owner, mediator, client):
    _, first = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    second_invitation, second = mediator_invite(case=mediation_case, owner=owner, email=mediator.email)
    access = mediator_accept(token=first, user=mediator)
    client.force_login(mediator)
    response = client.post(reverse("disputes:mediation_invitation", args=[second]))
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:mediation_case", args=[mediation_case.pk])
    assert list(MediatorAccess.objects.values_list("pk", flat=True)) == [access.pk]
    second_invitation.refresh_from_db()
    assert second_invitation.used_at is not None  # used up: the link cannot be passed on
    assert client.get(reverse("disputes:mediation_invitation", args=[second])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_invitations_accepted_at_the_same_moment_on_postgres_give_one_access():
    import threading

    from django.db import connection

    from tests.services import require_postgres

    require_postgres()
    owner, mediator = UserFactory(), UserFactory(email="twice@mediators.example")
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    tokens = [mediator_invite(case=case, owner=owner, email=mediator.email)[1] for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(token):
        try:
            barrier.wait()
            outcomes.append(mediator_accept(token=token, user=mediator).pk)
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert MediatorAccess.objects.filter(case=case, mediator=mediator).count() == 1
    assert outcomes == [MediatorAccess.objects.get().pk] * 2


def test_invitations_are_capped_per_case_and_per_person_per_day(owner, settings, owner_client):
    settings.MEDIATOR_INVITATIONS_PER_CASE_PER_DAY = 2
    settings.MEDIATOR_INVITATIONS_PER_USER_PER_DAY = 3
    first = CaseFactory(project__client__owner=owner, stage="mediation")
    second = CaseFactory(project__client__owner=owner, stage="mediation")
    for i in range(2):
        mediator_invite(case=first, owner=owner, email=f"m{i}@example.com")
    with pytest.raises(ValidationError, match="This case has had 2 invitations"):
        mediator_invite(case=first, owner=owner, email="m9@example.com")
    mediator_invite(case=second, owner=owner, email="other@example.com")
    with pytest.raises(ValidationError, match="You have sent 3 mediator invitations"):
        mediator_invite(case=second, owner=owner, email="again@example.com")
    # Through the page: a clear message next to the form, nothing queued.
    response = owner_client.post(reverse("disputes:case_mediators", args=[second.pk]), {"email": "x@example.com"})
    assert response.status_code == 400 and "the most Settle sends" in response.content.decode()
    assert MediatorInvitation.objects.count() == Notification.objects.count() == 3
    # A day later the count starts again.
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert mediator_invite(case=first, owner=owner, email="tomorrow@example.com")
