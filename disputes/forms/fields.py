"""Form fields every Settle form uses: dates in a sane range, currencies from ISO 4217, many files.

Every date and date-time a person types goes through `BoundedDateField` or
`BoundedDateTimeField` (ModelForms get them through `SettleMeta`), so a year
like 0001 is a form error next to the field, never a server error.
"""

import html

from babel.numbers import get_currency_name
from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.safestring import SafeData, mark_safe

from disputes.rules import dates, money


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class BoundedDateField(forms.DateField):
    widget = DateInput
    default_error_messages = {"invalid": "Enter a date.", "out_of_range": dates.OUT_OF_RANGE}

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not dates.in_range(value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return value


class BoundedDateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    default_error_messages = {"invalid": "Enter a date and time.", "out_of_range": dates.OUT_OF_RANGE}

    def to_python(self, value):
        # The value is aware in the user's zone but not yet converted, so its
        # date is the one typed: the range check runs before any UTC arithmetic.
        value = super().to_python(value)
        if value is not None and not dates.in_range(value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return value


def settle_formfield(model_field: models.Field, **kwargs):
    """Model fields to form fields, with Settle's bounded date fields."""
    if isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", BoundedDateTimeField)
    elif isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", BoundedDateField)
    return model_field.formfield(**kwargs)


class SettleMeta:
    """Base for every ModelForm's Meta: `class Meta(SettleMeta): …`."""

    formfield_callback = staticmethod(settle_formfield)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {get_currency_name(code, locale='en')}") for code in sorted(money.currency_codes())]


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 code in current use; lower case is accepted and normalised."""

    default_error_messages = {"invalid_choice": "Pick a currency from the list, e.g. USD or EUR."}

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", currency_choices)
        kwargs.setdefault("initial", "USD")
        super().__init__(**kwargs)

    def to_python(self, value):
        return (super().to_python(value) or "").strip().upper()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class FastSelect(forms.Select):
    """A select rendered in Python: the same markup as Django's, without a template and a context
    dict per option.

    For selects with hundreds of options (the time zones, a user's whole client list): Django's own
    rendering of those costs more than the rest of such a page."""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {"" if item is None else str(item) for item in values}  # as Select.format_value
        final = self.build_attrs(self.attrs, attrs)
        final.pop("name", None)

        def option(option_value, label):
            shown = "" if option_value is None else str(option_value)
            selected = " selected" if shown in chosen else ""
            return f'<option value="{escape(shown)}"{selected}>{escape(label)}</option>'

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # a group of options
                inner = "".join(option(*pair) for pair in label)
                parts.append(f'<optgroup label="{escape(option_value)}">{inner}</optgroup>')
            else:
                parts.append(option(option_value, label))
        # Every value and label above went through escape().
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final)}>{"".join(parts)}</select>')


def escape(value) -> str:
    """Django's conditional_escape (text already marked safe stays as it is; the rest goes through
    `html.escape`, as Django's own does) without its per-call wrappers, which cost more than the
    string work in a select of hundreds of options."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))
