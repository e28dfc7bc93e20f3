"""The offer pages: the freelancer's form and answers, and the client's page behind the e-mailed link."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Offer
from disputes.services.cases import case_move
from disputes.services.offers import offer_make, offer_text, text_digest
from disputes.services.sweep import sweep_run
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner, project__title="Bakery website", currency="EUR",
                       amount_in_dispute=Decimal("1600"), project__client__email="ben@bakery.example")  # fmt: skip


@pytest.fixture
def sent(case, owner):
    return offer_make(case=case, actor=owner, side="freelancer", amount=Decimal("1200"), currency="EUR",
                      terms="Pay by Friday; I hand over the files.", expires_on=TOMORROW, email=True)  # fmt: skip


def answer(client, token, value="accept", shown=None):
    offer = Offer.objects.get()
    if shown is None:
        with timezone.override(offer.case.client.time_zone):
            shown = text_digest(offer_text(offer))
    return client.post(reverse("disputes:offer_public", args=[token]), {"answer": value, "shown": shown},
                       REMOTE_ADDR="203.0.113.9")  # fmt: skip


def test_the_client_accepts_without_an_account_and_the_answer_keeps_its_proof(client, sent, case, mailoutbox):
    offer, token = sent
    page = client.get(reverse("disputes:offer_public", args=[token]))
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert "1,200.00 EUR to settle “Bakery website”" in page.content.decode()
    response = answer(client, token)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.answered_via_link and offer.answered_ip == "203.0.113.9"
    with timezone.override(case.client.time_zone):
        assert offer.answered_terms == offer_text(offer)
    assert "from 203.0.113.9" in offer.answer_entry.body and offer.answered_terms in offer.answer_entry.body
    sweep_run()
    assert any(m.to == ["owner@example.com"] and "answered your offer" in m.subject for m in mailoutbox)
    done = client.get(reverse("disputes:offer_public", args=[token]))
    assert "You accepted this offer" in done.content.decode()


def test_a_reused_link_changes_nothing(client, sent):
    offer, token = sent
    answer(client, token, "decline")
    response = answer(client, token, "accept")
    assert response.status_code == 400 and "works once" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == "declined" and offer.case.entries.filter(kind="offer_answer").count() == 1


def test_a_guessed_link_is_not_found(client, sent):
    assert client.get(reverse("disputes:offer_public", args=["x" * 43])).status_code == 404
    assert client.post(reverse("disputes:offer_public", args=["x" * 43]), {"answer": "accept"}).status_code == 404
    assert Offer.objects.get().status == "open"


def test_an_expired_link_and_a_closed_case_refuse_with_a_reason(client, sent, case, owner, time_machine):
    offer, token = sent
    case_move(case=case, actor=owner, move="walk_away", reason="Gone quiet", outcome="written_off")
    response = answer(client, token)
    assert response.status_code == 400 and "has been closed" in response.content.decode()
    case.refresh_from_db()
    case_move(case=case, actor=owner, move="reopen", reason="They wrote back")
    time_machine.move_to(offer.expires_at + dt.timedelta(minutes=1))
    page = client.get(reverse("disputes:offer_public", args=[token]))
    assert "This offer has expired." in page.content.decode() and "Accept this offer" not in page.content.decode()
    assert answer(client, token).status_code == 400
    assert Offer.objects.get().status == "open"  # until the sweep closes it


def test_an_answer_to_text_other_than_the_offers_is_refused(client, sent):
    _offer, token = sent
    response = answer(client, token, shown="0" * 64)
    assert response.status_code == 400 and "changed since the page was opened" in response.content.decode()
    assert Offer.objects.get().status == "open"


def test_the_form_keeps_input_and_says_what_is_wrong(owner_client, case):
    url = reverse("disputes:offer_new", args=[case.pk])
    response = owner_client.post(url, {"side": "freelancer", "amount": "0", "currency": "USD", "terms": "Half now",
                                       "expires_on": TOMORROW.isoformat(), "submission_key": "k1"})  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "above zero" in body and "This case is in EUR" in body and "Half now" in body
    assert not Offer.objects.exists()


def test_another_users_case_and_offer_are_not_found(client, outsider, sent, case):
    offer, _ = sent
    client.force_login(outsider)
    assert client.get(reverse("disputes:offer_new", args=[case.pk])).status_code == 404
    assert client.post(reverse("disputes:offer_action", args=[case.pk, offer.pk, "withdraw"])).status_code == 404
    assert Offer.objects.get().status == "open"


def test_closing_starts_from_the_accepted_offer(client, owner_client, sent, case):
    _offer, token = sent
    answer(client, token)
    page = owner_client.get(reverse("disputes:case_detail", args=[case.pk]))
    assert 'data-testid="resolve-from-offer"' in page.content.decode()
    form = owner_client.get(reverse("disputes:case_move", args=[case.pk, "resolve"])).context["form"]
    assert form.initial["amount_recovered"] == Decimal("1200") and form.initial["outcome"] == "partial_payment"
    assert "offer of 1,200.00 EUR was accepted" in form.initial["reason"]


def test_the_freelancer_counters_the_clients_offer_from_the_case(owner_client, case, owner):
    theirs, _ = offer_make(case=case, actor=owner, side="client", amount=Decimal("500"), currency="EUR",
                           terms="500 and we part ways", expires_on=TOMORROW)  # fmt: skip
    url = reverse("disputes:offer_new", args=[case.pk])
    form = owner_client.get(f"{url}?counter={theirs.pk}").context["form"]
    assert form.initial["side"] == "freelancer" and form.initial["counter_to"] == theirs.pk
    response = owner_client.post(url, {"side": "freelancer", "amount": "1100", "currency": "EUR", "terms": "1,100",
                                       "expires_on": TOMORROW.isoformat(), "counter_to": theirs.pk,
                                       "submission_key": "k2"})  # fmt: skip
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "countered" and Offer.objects.get(amount=1100).counter_to == theirs
