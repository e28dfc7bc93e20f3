"""Which language Settle writes in for whom: the user's pages and mail, a client's letters and mail.

One place for the rule: a user's own choice, else the site's default (a request without a choice
follows the browser instead, see accounts.middleware); a client's language when the freelancer
recorded one, else the freelancer's.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from disputes.rules.words import InSentence


def user_language(user) -> str:
    """The language of what Settle writes to `user` outside a request (e-mails, PDFs)."""
    chosen = getattr(user, "language", "") if user is not None else ""
    return chosen or settings.LANGUAGE_CODE


def client_language(client) -> str:
    """The language of letters and e-mails to `client`."""
    return client.language or user_language(client.owner)


@contextmanager
def on_the_record(owner):
    """Settle's own sentences on a case's timeline (a deadline met, an offer ended, a mail sent, a seal)
    are written once, in the language and time zone of the case's owner, whoever's action wrote them
    and whatever language the request is in: an entry is part of a hash chain and never changes, and
    one freelancer's record reads in one language."""
    with translation.override(user_language(owner)), timezone.override(owner.time_zone):
        yield


def record_date(value, *, long: bool = False) -> str:
    """A date, or a moment in the active time zone, as the record writes it: "07 Dec 2026"
    ("07. Dez. 2026" in German); `long` names the month in full."""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return date_format(value, translation.gettext("d F Y") if long else translation.gettext("d M Y"))


def record_moment(value) -> str:
    """A moment in the active time zone as the record writes it: "7 Dec 2026, 14:05 CET"."""
    return date_format(timezone.localtime(value), translation.gettext("j M Y, H:i T"))


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence, in the active language: "Formal letter" becomes
    "formal letter" in English; German keeps its capitals (its nouns are capitalised)."""
    text = str(label)
    return text if translation.get_language().startswith("de") else text.lower()


def say(text) -> str:
    """A sentence a rule wrote (rules.words.Said), or a plain catalogue message, in the active language.
    Labels inside it (rules.words.InSentence) read as `in_sentence` writes them; other values as they are."""
    singular = getattr(text, "singular", None)
    if singular is None:
        return translation.gettext(str(text))
    if text.plural:
        translated = translation.ngettext(singular, text.plural, text.count)
    else:
        translated = translation.gettext(singular)
    values = {
        name: in_sentence(value.label) if isinstance(value, InSentence) else value
        for name, value in text.values.items()
    }
    return translated % values if values else translated
