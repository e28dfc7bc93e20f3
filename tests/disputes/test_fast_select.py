"""FastSelect renders what Django's Select renders, option for option, escaped."""

import re

import pytest
from django import forms

from disputes.forms.fields import FastSelect

CHOICES = [("", "Any"), ("a&b", "A <b>&</b> B"), ("2", "Two"), ("Group", [("g1", "G one"), ("g2", "G two")])]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "a&b", "2", "g2", ["2", "g1"]])
def test_the_same_markup_as_django(value):
    attrs = {"class": "form-select", "id": "id_pick"}
    ours = FastSelect(attrs=attrs, choices=CHOICES).render("pick", value)
    theirs = forms.Select(attrs=attrs, choices=CHOICES).render("pick", value)
    if isinstance(value, list):  # a plain select marks one value; ours marks each given
        assert normalised(ours).count(" selected") == 2
        return
    assert normalised(ours) == normalised(theirs)
    assert "<b>" not in str(ours)


def test_remembered_options_follow_the_choices_the_selection_and_the_language():
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    widget = FastSelect(choices=[("1", "One"), ("2", "Two")])
    assert 'value="1" selected' in widget.render("n", "1")
    assert 'value="2" selected' in widget.render("n", "2")  # the same choices, another selection
    widget.choices = [("1", "One"), ("2", "Deux")]
    assert ">Deux<" in widget.render("n", "1")  # new choices, new markup
    lazy = FastSelect(choices=[("", gettext_lazy("Yes"))])
    with translation.override("en"):
        english = str(lazy.render("n", ""))
    with translation.override("de"):
        german = str(lazy.render("n", ""))
    assert ">Yes<" in english and ">Ja<" in german
    # A label marked safe is written as it is; the same text unmarked is escaped.
    assert "<b>x</b>" in FastSelect(choices=[("1", mark_safe("<b>x</b>"))]).render("n", "")
    assert "&lt;b&gt;x&lt;/b&gt;" in FastSelect(choices=[("1", "<b>x</b>")]).render("n", "")


def test_choices_django_would_normalise_are_normalised():
    widget = FastSelect(choices={"a": "A", "Group": {"g": "G"}})
    html = str(widget.render("n", "g"))
    assert '<option value="a">A</option>' in html and '<optgroup label="Group">' in html
    assert '<option value="g" selected>G</option>' in html


def test_a_fixed_choice_field_shares_its_choices_between_forms_and_still_validates():
    from disputes.forms.fields import FixedChoiceField

    class Pick(forms.Form):
        colour = FixedChoiceField(choices=[("", "Any"), ("red", "Red")], required=False, widget=FastSelect())

    first, second = Pick(data={"colour": "red"}), Pick(data={"colour": "blue"})
    assert first.fields["colour"] is not second.fields["colour"]
    assert first.fields["colour"].choices is second.fields["colour"].choices
    assert first.is_valid() and first.cleaned_data["colour"] == "red"
    assert not second.is_valid() and "colour" in second.errors


@pytest.mark.django_db
def test_the_case_filter_form_renders_small_selects_with_ids_and_the_owners_clients_only():
    from disputes.forms.cases import CaseFilterForm
    from tests.factories import ClientFactory, UserFactory

    owner, other = UserFactory(), UserFactory()
    ClientFactory(owner=owner, name="Mine Ltd")
    ClientFactory(owner=other, name="Theirs Ltd")
    form = CaseFilterForm(data={"stage": "nonsense"}, owner=owner)
    html = str(form["stage"]) + str(form["client"]) + str(form["q"])
    assert 'id="id_stage"' in html and 'class="form-select form-select-sm"' in html
    assert 'class="form-control form-control-sm"' in html and 'placeholder="Title or client"' in html
    assert "Mine Ltd" in html and "Theirs Ltd" not in html
    assert not form.is_valid() and "stage" in form.errors


@pytest.mark.parametrize("value", [None, "", "plain", 'a "quoted" <b>&amp;</b>', 42])
@pytest.mark.parametrize(
    "attrs", [{}, {"class": "form-control", "placeholder": "Title or client"}, {"required": True, "disabled": False}]
)
def test_the_text_input_writes_what_djangos_writes(value, attrs):
    from disputes.forms.fields import FastTextInput

    given = {"id": "id_q", "maxlength": "100", **attrs}
    ours = FastTextInput(attrs=given).render("q", value)
    assert str(ours) == str(forms.TextInput(attrs=given).render("q", value))
    assert "<b>" not in str(ours)
