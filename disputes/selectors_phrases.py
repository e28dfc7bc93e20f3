"""A freelancer's reply starters by moment: their own copy, or Settle's until they make one."""

from __future__ import annotations

from dataclasses import dataclass

from disputes.models import Phrase
from disputes.rules import phrasebook


@dataclass(frozen=True)
class Moment:
    key: str
    label: str
    phrases: list  # Phrase rows, or plain texts while the user has no copy


def phrasebook_for(user) -> tuple[list[Moment], bool]:
    """(moments with their phrases, whether these are the user's own rows): one query."""
    rows = list(Phrase.objects.filter(owner=user).order_by("position", "id"))
    own = bool(rows)
    moments = []
    for key, label in phrasebook.MOMENTS.items():
        if own:
            phrases = [row for row in rows if row.moment == key and not row.removed]
        else:
            phrases = list(phrasebook.STARTERS.get(key, ()))
        moments.append(Moment(key, label, phrases))
    return moments, own
