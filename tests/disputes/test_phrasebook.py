"""The phrasebook: Settle's starters until the user makes them their own, edits, removals and
additions kept to their owner, and the starters offered in the composer and letter drafts."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from disputes.models import Phrase
from disputes.rules import phrasebook
from disputes.selectors_phrases import phrasebook_for
from disputes.services.phrases import phrase_add, phrase_edit, phrase_remove, phrasebook_copy
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
STARTERS = sum(len(texts) for texts in phrasebook.STARTERS.values())


def test_every_moment_has_starters_and_they_fit():
    assert set(phrasebook.STARTERS) == set(phrasebook.MOMENTS)
    assert all(
        texts and all(0 < len(t) <= phrasebook.MAX_LENGTH for t in texts) for texts in phrasebook.STARTERS.values()
    )


def test_a_new_user_reads_settles_starters_without_any_row(owner):
    moments, own = phrasebook_for(owner)
    assert not own and not Phrase.objects.exists()
    assert [m.key for m in moments] == list(phrasebook.MOMENTS)
    assert moments[0].phrases == list(phrasebook.STARTERS["acknowledge"])


def test_the_first_addition_copies_the_starters_once(owner):
    phrase_add(user=owner, moment="boundary", text="  Weekends are off.  ")
    phrase_add(user=owner, moment="boundary", text="Changes go through a quote.")
    assert Phrase.objects.filter(owner=owner).count() == STARTERS + 2
    phrasebook_copy(owner)  # again: nothing more
    moments, own = phrasebook_for(owner)
    boundary = next(m for m in moments if m.key == "boundary")
    assert own and [p.text for p in boundary.phrases][-2:] == ["Weekends are off.", "Changes go through a quote."]


@pytest.mark.django_db(transaction=True)
def test_two_first_edits_at_once_make_one_copy():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock is what PostgreSQL needs")
    user = UserFactory()
    errors = []

    def add(text):
        try:
            phrase_add(user=user, moment="options", text=text)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(f"Option {n}",)) for n in range(2)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert errors == [] and Phrase.objects.filter(owner=user).count() == STARTERS + 2


def test_bad_input_is_refused_and_nothing_is_written(owner):
    for moment, text, field in (("options", "   ", "text"), ("shouting", "Hi", "moment"),
                                ("options", "x" * (phrasebook.MAX_LENGTH + 1), "text")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            phrase_add(user=owner, moment=moment, text=text)
        assert field in refused.value.message_dict
    assert not Phrase.objects.exists()


def test_edit_and_remove_keep_to_the_owner(owner, outsider):
    phrase = phrase_add(user=owner, moment="decline", text="Not this time.")
    with pytest.raises(Exception, match="does not belong"):
        phrase_edit(phrase=phrase, actor=outsider, text="Hijacked")
    phrase_edit(phrase=phrase, actor=owner, text="Not within this budget.")
    phrase_remove(phrase=phrase, actor=owner)
    moments, _ = phrasebook_for(owner)
    assert all(p.text != "Not within this budget." for m in moments for p in m.phrases)
    assert Phrase.objects.get(pk=phrase.pk).removed  # kept hidden: an emptied phrasebook stays empty


def test_the_pages(owner_client, owner, client, outsider):
    url = reverse("disputes:phrasebook")
    html = owner_client.get(url).content.decode()
    assert 'data-testid="starters-note"' in html and phrasebook.STARTERS["clarify"][0].replace("'", "&#x27;") in html
    assert owner_client.post(url, {"copy": "1"}).status_code == 302
    refused = owner_client.post(url, {"moment": "options", "text": ""})
    assert refused.status_code == 400 and "Phrase not added: Write the phrase." in refused.content.decode()
    owner_client.post(url, {"moment": "options", "text": "A or B, your pick."})
    phrase = Phrase.objects.get(owner=owner, text="A or B, your pick.")
    case = CaseFactory(project__client__owner=owner)
    compose = owner_client.get(reverse("disputes:mail_compose", args=[case.pk])).content.decode()
    assert 'data-insert="A or B, your pick."' in compose and 'data-target="id_body"' in compose
    letter = owner_client.get(reverse("disputes:letter_new", args=[case.pk, "demand"])).content.decode()
    assert 'data-insert="A or B, your pick."' in letter
    client.force_login(outsider)
    update = reverse("disputes:phrase_update", args=[phrase.pk])
    assert client.post(update, {"text": "Hijacked"}).status_code == 404
    assert 'data-insert="A or B' not in client.get(reverse("disputes:phrasebook")).content.decode()
    owner_client.post(update, {"remove": "1"})
    assert owner_client.post(update, {"text": "Back?"}).status_code == 404  # a removed phrase is gone
