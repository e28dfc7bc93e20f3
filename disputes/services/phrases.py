"""Writes to a freelancer's phrasebook. The first change copies Settle's starters to the user, so
every later list, edit and removal works on the user's own rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.models import Phrase
from disputes.rules import phrasebook
from disputes.services.common import ensure_owner


@transaction.atomic
def phrasebook_copy(user: User) -> None:
    """Give the user their own copy of the starters, once (locked on the user's row, so two first
    edits at the same time make one copy)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if Phrase.objects.filter(owner=user).exists():
        return
    rows, position = [], 0
    for moment, texts in phrasebook.STARTERS.items():
        for text in texts:
            position += 1
            rows.append(Phrase(owner=user, moment=moment, text=text, position=position))
    Phrase.objects.bulk_create(rows)


def _clean(moment: str, text: str) -> str:
    text = text.strip()
    errors = {}
    if moment not in phrasebook.MOMENTS:
        errors["moment"] = _("Pick the moment this phrase is for.")
    if not text:
        errors["text"] = _("Write the phrase.")
    elif len(text) > phrasebook.MAX_LENGTH:
        errors["text"] = _("Keep a phrase under %(length)s characters.") % {"length": phrasebook.MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    return text


def phrase_add(*, user: User, moment: str, text: str) -> Phrase:
    text = _clean(moment, text)
    with transaction.atomic():
        phrasebook_copy(user)
        last = Phrase.objects.filter(owner=user).order_by("-position").values_list("position", flat=True).first()
        return Phrase.objects.create(owner=user, moment=moment, text=text, position=(last or 0) + 1)


def phrase_edit(*, phrase: Phrase, actor: User, text: str) -> Phrase:
    ensure_owner(phrase, actor)
    phrase.text = _clean(phrase.moment, text)
    Phrase.objects.filter(pk=phrase.pk).update(text=phrase.text)
    return phrase


def phrase_remove(*, phrase: Phrase, actor: User) -> None:
    ensure_owner(phrase, actor)
    Phrase.objects.filter(pk=phrase.pk).update(removed=True)
