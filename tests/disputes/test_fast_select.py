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
