"""Offers to settle (services.offers): made by either side, answered once, withdrawn, countered, expired."""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes.models import Offer
from disputes.services.cases import case_move
from disputes.services.common import NotYours
from disputes.services.offers import (
    accepted_offer,
    offer_answer,
    offer_make,
    offer_withdraw,
    offers_expire,
)
from disputes.services.sweep import sweep_run
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner, project__title="Bakery website", currency="EUR",
                       amount_in_dispute=Decimal("1600"), project__client__email="ben@bakery.example")  # fmt: skip


def make(case, owner, **kwargs):
    values = {"side": "freelancer", "amount": Decimal("1200"), "currency": "EUR", "terms": "Pay 1,200 EUR by Friday; "
              "I hand over the source files.", "expires_on": TOMORROW}  # fmt: skip
    values.update(kwargs)
    return offer_make(case=case, actor=owner, **values)


def test_an_offer_goes_on_the_timeline_in_the_case_currency(case, owner):
    offer, token = make(case, owner)
    assert token == "" and offer.token_hash is None and offer.status == "open"
    assert offer.entry.kind == "offer" and offer.entry.amount == Decimal("1200")
    assert offer.entry.body.startswith("Your offer: 1,200.00 EUR, open until ")
    assert timezone.localtime(offer.expires_at).date() == TOMORROW


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": Decimal("0")}),
        ("amount", {"amount": Decimal("-5")}),
        ("currency", {"currency": "USD"}),
        ("terms", {"terms": "   "}),
        # Days from today, turned into dates when the test runs (a run may cross midnight).
        ("expires_on", {"expires_on": -1}),
        ("expires_on", {"expires_on": 91}),
        ("expires_on", {"expires_on": None}),
        ("side", {"side": "mediator"}),
        ("email", {"side": "client", "email": True}),
    ],
)
def test_bad_offers_are_refused_with_a_reason_and_nothing_written(case, owner, field, kwargs):
    if isinstance(kwargs.get("expires_on"), int):
        kwargs = {"expires_on": timezone.localdate() + dt.timedelta(days=kwargs["expires_on"])}
    entries = case.entries.count()
    with pytest.raises(ValidationError) as refused:
        make(case, owner, **kwargs)
    assert field in refused.value.message_dict
    assert Offer.objects.count() == 0 and case.entries.count() == entries


def test_a_client_without_an_address_cannot_be_emailed(owner):
    case = CaseFactory(project__client__owner=owner, project__client__email="", currency="EUR")
    with pytest.raises(ValidationError) as refused:
        make(case, owner, email=True)
    assert "no e-mail address" in refused.value.message_dict["email"][0]


def test_only_the_owner_makes_offers_and_only_on_an_open_case(case, owner, outsider):
    with pytest.raises(NotYours):
        make(case, outsider)
    case_move(case=case, actor=owner, move="walk_away", reason="Not worth it", outcome="written_off")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        make(case, owner)


def test_the_emailed_offer_stores_only_the_hash_and_the_mail_carries_the_link(case, owner, mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    offer, token = make(case, owner, email=True)
    assert offer.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Offer.objects.values().get())
    sweep_run()
    [mail] = [m for m in mailoutbox if m.to == ["ben@bakery.example"]]
    assert re.search(r"https://settle\.example\.com/offer/(\S+)/", mail.body).group(1) == token
    assert "1,200.00 EUR" in mail.body and "Bakery website" in mail.body
    offer.refresh_from_db()
    assert offer.notification.sent_at is not None


def test_emailed_offers_are_limited_per_case_per_day(case, owner, settings):
    settings.OFFER_EMAILS_PER_CASE_PER_DAY = 2
    make(case, owner, email=True)
    make(case, owner, email=True)
    with pytest.raises(ValidationError, match="the most Settle sends"):
        make(case, owner, email=True)
    make(case, owner)  # recording one without e-mail is not limited


def test_the_freelancer_answers_the_clients_offer_once(case, owner):
    offer, _ = make(case, owner, side="client", amount=Decimal("900"))
    answered = offer_answer(offer=offer, actor=owner, accept=True)
    assert answered.status == "accepted" and answered.answer_entry.about_id == offer.entry_id
    with pytest.raises(ValidationError, match="no longer open"):
        offer_answer(offer=offer, actor=owner, accept=False)
    assert accepted_offer(case) == answered
    own, _ = make(case, owner)
    with pytest.raises(ValidationError, match="client answers it"):
        offer_answer(offer=own, actor=owner, accept=True)


def test_a_counter_offer_ends_the_offer_it_answers(case, owner):
    theirs, _ = make(case, owner, side="client", amount=Decimal("600"))
    mine, _ = make(case, owner, amount=Decimal("1000"), counter_to=theirs)
    theirs.refresh_from_db()
    assert theirs.status == "countered" and mine.counter_to == theirs
    assert "counter-offer to 600.00 EUR" in mine.entry.body
    with pytest.raises(ValidationError) as refused:  # one's own offer is not countered by oneself
        make(case, owner, counter_to=mine)
    assert "counter_to" in refused.value.message_dict


def test_withdrawing_is_once_and_only_for_ones_own(case, owner):
    mine, _ = make(case, owner)
    assert offer_withdraw(offer=mine, actor=owner) is True
    assert offer_withdraw(offer=mine, actor=owner) is False
    assert case.entries.filter(kind="offer_answer").count() == 1
    theirs, _ = make(case, owner, side="client")
    with pytest.raises(ValidationError):
        offer_withdraw(offer=theirs, actor=owner)


def test_offers_past_their_day_expire_once_in_the_sweep(case, owner):
    offer, _ = make(case, owner)
    still_open, _ = make(case, owner, expires_on=TOMORROW + dt.timedelta(days=5))
    later = offer.expires_at + dt.timedelta(minutes=1)
    assert offers_expire(now=offer.expires_at - dt.timedelta(minutes=1)) == 0
    assert offers_expire(now=later) == 1
    assert offers_expire(now=later) == 0  # a repeated run finds nothing more
    offer.refresh_from_db()
    still_open.refresh_from_db()
    assert offer.status == "expired" and still_open.status == "open"
    assert case.entries.get(kind="offer_answer").body == "The offer of 1,200.00 EUR expired with no answer."
    assert sweep_run(now=later).offers_expired == 0
