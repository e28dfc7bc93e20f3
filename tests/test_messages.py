"""The forms speak Settle's words, not the framework's defaults (locale/en)."""

import pytest
from django import forms
from django.utils import translation


class Sample(forms.Form):
    name = forms.CharField(min_length=3, max_length=5)
    count = forms.IntegerField(min_value=1, max_value=9)
    amount = forms.DecimalField(max_digits=4, decimal_places=2)
    day = forms.DateField()
    email = forms.EmailField()
    kind = forms.ChoiceField(choices=[("a", "A")])


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"name": "ab"}, "name", "Write at least 3 characters (this has 2)."),
        ({"name": "abcdefg"}, "name", "Keep this to 5 characters (this has 7)."),
        ({}, "name", "Fill this in."),
        ({"count": "0"}, "count", "Use 1 or more."),
        ({"count": "10"}, "count", "Use 9 or less."),
        ({"count": "x"}, "count", "Write a whole number, like 12."),
        ({"amount": "123.45"}, "amount", "Use at most 4 digits in all."),
        ({"amount": "1.234"}, "amount", "Use at most 2 digits after the decimal point."),
        ({"day": "31/31/2026"}, "day", "Write a date as year-month-day, like 2026-12-06."),
        ({"email": "nope"}, "email", "Write an e-mail address, like name@example.com."),
        ({"kind": "b"}, "kind", "Pick one of the choices offered (“b” is not one of them)."),
    ],
)
def test_form_errors_are_in_settles_words(data, field, expected):
    with translation.override("en-us"):
        errors = Sample(data).errors[field]
    assert errors == [expected]
    assert not any(error.startswith(("Ensure", "Enter a", "Select a valid", "This field")) for error in errors)
