"""Sentences the rules write (rules.words) read as English in the rules and in the reader's language where shown."""

from django.utils import translation

from disputes.languages import say
from disputes.rules import risk, tone
from disputes.rules.words import InSentence, Said, ngettext, said


def test_a_said_sentence_is_its_english_text():
    assert said("Blame words: %(words)s.", words="rude") == "Blame words: rude."
    assert ngettext("%(count)s case", "%(count)s cases", 1) == "1 case"
    assert ngettext("%(count)s case", "%(count)s cases", 3) == "3 cases"
    assert said("Warning sign: %(sign)s.", sign=InSentence("Refused any prepayment")) == (
        "Warning sign: refused any prepayment."
    )
    assert isinstance(said("x"), str) and isinstance(said("x"), Said)


def test_risk_reasons_and_tone_hints_read_in_german_where_shown():
    history = risk.History(signs={"refused_prepayment": "Refused any prepayment"}, open_cases=2, late_payments=1)
    reasons = risk.assess(history).reasons
    hints = tone.hints("WHY IS THIS SO LATE!!! your fault, unacceptable")
    with translation.override("de"):
        german = [say(reason) for reason in reasons] + [say(hint) for hint in hints]
    assert "2 Fälle sind mit diesem Kunden gerade offen." in german
    assert "1 Zahlung kam nach dem Fälligkeitstag." in german
    assert any(line.startswith("Warnzeichen: ") for line in german)
    assert any(line.startswith("Schuldzuweisungen: ") and "unacceptable" in line for line in german)
    assert "3 Ausrufezeichen." in german
    with translation.override("en"):
        assert [say(reason) for reason in reasons] == list(reasons)


def test_a_name_inside_a_sentence_keeps_its_own_capitals_and_a_plain_message_is_looked_up():
    sentence = said("Blame words: %(words)s.", words="Smith")
    with translation.override("en"):
        assert say(sentence) == "Blame words: Smith."
        assert say("Low risk") == "Low risk"
    with translation.override("de"):
        assert say("Low risk") != "Low risk"
