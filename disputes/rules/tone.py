"""Signs that a message was written in the heat of the moment. Pure Python, no Django.

Used two ways: an incoming message that shows them makes Settle hold a reply
written straight after it for a short cooling-off delay, and the composer
shows them as hints on the freelancer's own draft. They never block anything.
"""

from __future__ import annotations

import re

from disputes.rules.words import ngettext, said


def _(text: str) -> str:
    """Marks a text for the translation catalogue (languages.say shows it in the reader's language)."""
    return text


_ABSOLUTES = re.compile(r"(?i)\byou\s+(always|never)\b|\bnever\s+again\b|\bevery\s+single\s+time\b")
_BLAME = re.compile(
    r"(?i)\b(your\s+fault|you\s+failed|you\s+ruined|incompetent|unprofessional|ridiculous|unacceptable|"
    r"scam(mer)?|fraud|liar|lying|disgrace(ful)?|useless|waste\s+of\s+(my\s+)?(time|money))\b"
)
_THREAT = re.compile(r"(?i)\b(my\s+lawyer|sue\s+you|see\s+you\s+in\s+court|chargeback|report\s+you)\b")
_SHOUT_WORD = re.compile(r"\b[A-Z]{3,}\b")


def hints(text: str) -> list[str]:  # each a rules.words.Said
    """What in `text` reads as heated, in plain words (empty when nothing does)."""
    found: list[str] = []
    letters = [ch for ch in text if ch.isalpha()]
    shouted = [word for word in _SHOUT_WORD.findall(text) if word not in {"PDF", "USD", "EUR", "GBP", "ASAP", "FAQ"}]
    if len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.5:
        found.append(said(_("Mostly capital letters: it reads as shouting.")))
    elif len(shouted) >= 3:
        words = ", ".join(dict.fromkeys(shouted[:4]))
        found.append(said(_("Words in capitals (%(words)s): they read as shouting."), words=words))
    exclamations = text.count("!")
    if "!!" in text or exclamations >= 3:
        found.append(ngettext("%(count)s exclamation mark.", "%(count)s exclamation marks.", exclamations))
    absolutes = _ABSOLUTES.findall(text)
    if absolutes:
        found.append(said(_("Absolutes such as “you always” or “you never”.")))
    blame = sorted({match[0].lower() for match in _BLAME.findall(text)})
    if blame:
        found.append(said(_("Blame words: %(words)s."), words=", ".join(blame[:4])))
    if _THREAT.search(text):
        found.append(said(_("Threats of lawyers, chargebacks or reports.")))
    return found


def is_heated(text: str) -> bool:
    return bool(hints(text))
