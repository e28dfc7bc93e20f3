"""Sentences the rules write, kept so that a page can say them in the reader's language.

The rules are pure Python and write English. A sentence with a number or a
name in it cannot be looked up in a catalogue once written, so a rule returns
a `Said`: the English sentence itself (it is a `str`, so rules and tests read
it as before) that also keeps its catalogue forms and its values.
`disputes.languages.say` translates it where it is shown.

    said(_("Blame words: %(words)s."), words="rude")        # _ marks it for the catalogue
    counted("%(count)s case is open", "%(count)s cases are open", 2)
"""

from __future__ import annotations


class Said(str):
    singular: str
    plural: str
    count: int | None
    values: dict

    def __new__(cls, singular: str, plural: str = "", count: int | None = None, values: dict | None = None):
        values = dict(values or {})
        english = plural if plural and count != 1 else singular
        said = super().__new__(cls, english % values if values else english)
        said.singular, said.plural, said.count, said.values = singular, plural, count, values
        return said


class InSentence(str):
    """A label inside a sentence: lower-case in the English text, the label itself kept for translation."""

    label: object

    def __new__(cls, label):
        text = str(label)
        within = super().__new__(cls, text[:1].lower() + text[1:])
        within.label = label
        return within


def said(text: str, **values) -> Said:
    """A sentence with values in it: `text` is a catalogue message with %(name)s placeholders."""
    return Said(text, values=values)


def ngettext(singular: str, plural: str, count: int, **values) -> Said:
    """A counted sentence (named so that the catalogue's extractor finds both forms)."""
    return Said(singular, plural, count, {"count": count, **values})
