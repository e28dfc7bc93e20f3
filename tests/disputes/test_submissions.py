"""Form posts that create something carry a key: sending the same form twice creates it once."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from disputes.models import (
    Case,
    Client,
    Evidence,
    FormSubmission,
    Letter,
    MediatorInvitation,
    Milestone,
    Project,
    ReviewAction,
    ScopeAgreement,
    TimelineEntry,
    WarningSign,
)
from disputes.services.cases import case_move
from disputes.services.mediation import mediator_accept, mediator_invite
from disputes.services.submissions import submission_once
from tests.conftest import png_bytes
from tests.factories import CaseFactory, ClientFactory, EntryFactory, ProjectFactory, UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def creations(owner, staff):
    """route name: (who posts, url, body, what counts the things it creates)."""
    client = ClientFactory(owner=owner)
    project = ProjectFactory(client=client)
    case = CaseFactory(project=project, stage="mediation")
    entry = EntryFactory(case=case, kind="note", body="v1")
    mediator = UserFactory(email="mediator@example.com")
    _, token = mediator_invite(case=case, owner=owner, email=mediator.email)
    mediator_accept(token=token, user=mediator)
    escalated = case_move(
        case=CaseFactory(project__client__owner=owner), actor=owner, move="fast_track", reason="x", ground="fraud"
    )
    return {
        "entry_add": (owner, reverse("disputes:entry_add", args=[case.pk]), {"kind": "note", "body": "Twice?"},
                      lambda: TimelineEntry.objects.filter(body="Twice?").count()),
        "entry_correct": (owner, reverse("disputes:entry_correct", args=[case.pk, entry.pk]),
                          {"body": "v2", "happened_at": "2026-01-01T10:00"},
                          lambda: TimelineEntry.objects.filter(corrects=entry).count()),
        "client_create": (owner, reverse("disputes:client_create"),
                          {"name": "Ada", "preferred_channel": "email", "platform": "direct", "time_zone": "UTC"},
                          lambda: Client.objects.filter(name="Ada").count()),
        "warning_sign_add": (owner, reverse("disputes:warning_sign_add", args=[client.pk]),
                             {"kind": "never_satisfied", "noticed_on": "2026-01-01"},
                             lambda: WarningSign.objects.count()),
        "project_create": (owner, reverse("disputes:project_create"),
                           {"client": client.pk, "title": "Site", "price": "5", "currency": "USD",
                            "prepayment_percent": 0, "status": "active"},
                           lambda: Project.objects.filter(title="Site").count()),
        "milestone_add": (owner, reverse("disputes:milestone_add", args=[project.pk]), {"title": "Half", "amount": "5"},
                          lambda: Milestone.objects.count()),
        "agreement_create": (owner, reverse("disputes:agreement_create", args=[project.pk]),
                             {"deliverables": "x", "price": "5", "currency": "USD", "revision_rounds": 1,
                              "source": "email"},
                             lambda: ScopeAgreement.objects.count()),
        "case_open": (owner, reverse("disputes:case_open"),
                      {"project": project.pk, "title": "Once", "kind": "billing", "amount_in_dispute": "5"},
                      lambda: Case.objects.filter(title="Once").count()),
        "evidence_upload": (owner, reverse("disputes:evidence_upload", args=[case.pk]),
                            {"kind": "photo", "files": lambda: SimpleUploadedFile("a.png", png_bytes())},
                            lambda: Evidence.objects.count()),
        "letter_new": (owner, reverse("disputes:letter_new", args=[case.pk, "demand"]),
                       {"subject": "Pay", "body": "Please.", "amount_owed": "5", "payment_instructions": "Bank",
                        "channel": "email"},
                       lambda: Letter.objects.count()),
        "case_mediators": (owner, reverse("disputes:case_mediators", args=[case.pk]), {"email": "m2@example.com"},
                           lambda: MediatorInvitation.objects.filter(email="m2@example.com").count()),
        "review_note": (staff, reverse("disputes:review_note", args=[escalated.pk]),
                        {"body": "Looked", "visible": "on"},
                        lambda: ReviewAction.objects.filter(kind="note").count()),
        "review_decide": (staff, reverse("disputes:review_decide", args=[escalated.pk]),
                          {"recommendation": "no_action", "reasons": "x"},
                          lambda: ReviewAction.objects.filter(kind="decision").count()),
        "mediation_note": (mediator, reverse("disputes:mediation_note", args=[case.pk]), {"body": "Noted"},
                           lambda: TimelineEntry.objects.filter(kind="mediator_note").count()),
        "mediation_propose": (mediator, reverse("disputes:mediation_propose", args=[case.pk]),
                              {"amount": "5", "terms": "Half", "deadline": "2099-01-01"},
                              lambda: TimelineEntry.objects.filter(kind="settlement").count()),
    }  # fmt: skip


ROUTES = [
    "entry_add",
    "entry_correct",
    "client_create",
    "warning_sign_add",
    "project_create",
    "milestone_add",
    "agreement_create",
    "case_open",
    "evidence_upload",
    "letter_new",
    "case_mediators",
    "review_note",
    "review_decide",
    "mediation_note",
    "mediation_propose",
]


def body(data: dict, key: str) -> dict:
    return {name: value() if callable(value) else value for name, value in data.items()} | {"submission_key": key}


@pytest.mark.parametrize("route", ROUTES)
def test_the_same_form_sent_twice_creates_one_thing_and_shows_it(client, owner, staff, route):
    actor, url, data, count = creations(owner, staff)[route]
    client.force_login(actor)
    key = str(uuid.uuid4())
    before = count()
    first = client.post(url, body(data, key))
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post(url, body(data, key), follow=True)
    assert count() == before + 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in second.content.decode()
    # A new page (a new key) creates again.
    client.post(url, body(data, str(uuid.uuid4())))
    assert count() in (before + 2, before + 1)  # a second correction of one entry is refused; the rest add


def test_every_creating_page_renders_a_key(owner_client, owner, staff):
    table = creations(owner, staff)
    for route in ROUTES:
        actor, url, _, _ = table[route]
        if actor != owner or route in ("entry_add", "warning_sign_add", "milestone_add"):
            continue  # those forms sit on the case, client and project pages, checked below
        assert 'name="submission_key"' in owner_client.get(url).content.decode(), route
    case = CaseFactory(project__client__owner=owner)
    for url in (case.get_absolute_url(), case.client.get_absolute_url(), case.project.get_absolute_url()):
        assert 'name="submission_key"' in owner_client.get(url).content.decode(), url


def test_a_refused_form_does_not_use_up_its_key(owner_client, owner):
    case = CaseFactory(project__client__owner=owner)
    url, key = reverse("disputes:entry_add", args=[case.pk]), str(uuid.uuid4())
    refused = owner_client.post(url, {"kind": "message_in", "body": "No channel", "submission_key": key})
    assert refused.status_code == 200 and not FormSubmission.objects.exists()
    owner_client.post(url, {"kind": "message_in", "channel": "email", "body": "Fixed", "submission_key": key})
    assert TimelineEntry.objects.filter(case=case, body="Fixed").count() == 1


def test_keys_are_per_person(owner, outsider):
    key = str(uuid.uuid4())
    made = []
    for user in (owner, outsider):
        _, created = submission_once(user=user, key=key, run=lambda: made.append(1) or "/x/")
        assert created
    assert len(made) == 2


def test_a_post_without_a_valid_key_just_runs(owner):
    for key in (None, "", "not-a-uuid"):
        assert submission_once(user=owner, key=key, run=lambda: "/y/") == ("/y/", True)
    assert not FormSubmission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_from_two_tabs_at_once_on_postgres_creates_one_entry():
    require_postgres()
    owner = UserFactory()
    case = CaseFactory(project__client__owner=owner)
    url, key = reverse("disputes:entry_add", args=[case.pk]), str(uuid.uuid4())
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        try:
            browser = HttpClient()
            browser.force_login(owner)
            barrier.wait()
            response = browser.post(url, {"kind": "note", "body": "At once", "submission_key": key})
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    assert TimelineEntry.objects.filter(case=case, body="At once").count() == 1
    assert Decimal(FormSubmission.objects.count()) == 1
