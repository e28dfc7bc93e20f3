"""Form fields every Settle form uses: dates in a sane range, currencies from ISO 4217, many files.

Every date and date-time a person types goes through `BoundedDateField` or
`BoundedDateTimeField` (ModelForms get them through `SettleMeta`), so a year
like 0001 is a form error next to the field, never a server error.
"""

import html
from functools import lru_cache

from babel.numbers import get_currency_name
from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.choices import normalize_choices
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
    default_error_messages = {"invalid": _("Enter a date."), "out_of_range": dates.OUT_OF_RANGE}

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not dates.in_range(value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return value


class BoundedDateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    default_error_messages = {"invalid": _("Enter a date and time."), "out_of_range": dates.OUT_OF_RANGE}

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

    default_error_messages = {"invalid_choice": _("Pick a currency from the list, e.g. USD or EUR.")}

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


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices are fixed when the form class is made (the stages, the sorts).

    Every form instance deep-copies its fields; Django's copy of a choice field copies its
    choices too, label by lazy label. Choices fixed at class level are never changed by an
    instance, so the copies share them."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


class FastSelect(forms.Select):
    """A select rendered in Python: the same markup as Django's, without a template and a context
    dict per option.

    For selects with hundreds of options (the time zones, a user's whole client list): Django's own
    rendering of those costs more than the rest of such a page."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # A list of (value, label) pairs with plain labels is already what Django's normalising
        # would make of it (which walks every label): kept as it is. Anything else is normalised.
        plain = type(value) is list and all(
            type(pair) is tuple and len(pair) == 2 and not isinstance(pair[1], (list, tuple, dict)) for pair in value
        )
        self._choices = value if plain else normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = frozenset("" if item is None else str(item) for item in values)  # as Select.format_value
        final = self.build_attrs(self.attrs, attrs)
        final.pop("name", None)
        try:
            # Labels may be lazy translations: the language is part of what the markup depends on.
            key = (get_language(), tuple(_hashable(choice) for choice in self.choices), chosen)
            options = _options(*key)
        except TypeError:  # choices that cannot be a cache key
            options = _options_markup(self.choices, chosen)
        # Every value and label in `options` went through escape().
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final)}>{options}</select>')


class FastTextInput(forms.TextInput):
    """A text input rendered in Python: Django's markup (type, name, value, then the attributes in
    order) without a template, for the inputs every list page writes (the search box)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        written = "".join(
            f" {escape(key)}" if item is True else f' {escape(key)}="{escape(item)}"'
            for key, item in widget["attrs"].items()
            if item is not False
        )
        return mark_safe(f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}{written}>')


def _hashable(choice):
    value, label = choice
    if isinstance(label, (list, tuple)):
        return (value, tuple(_hashable(pair) for pair in label))
    if isinstance(label, SafeData):  # equal to the same text unmarked, but written unescaped
        raise TypeError("a label marked safe is not a cache key")
    return (value, label)


@lru_cache(maxsize=256)
def _options(language: str, choices: tuple, chosen: frozenset) -> str:
    """The options of a select, once per (choices, selection, language) in each process: a
    freelancer's client list or the time zones come out of a lookup, not five hundred escapes."""
    return _options_markup(choices, chosen)


def _options_markup(choices, chosen) -> str:
    def option(option_value, label):
        shown = "" if option_value is None else str(option_value)
        selected = " selected" if shown in chosen else ""
        return f'<option value="{escape(shown)}"{selected}>{escape(label)}</option>'

    parts = []
    for option_value, label in choices:
        if isinstance(label, (list, tuple)):  # a group of options
            inner = "".join(option(*pair) for pair in label)
            parts.append(f'<optgroup label="{escape(option_value)}">{inner}</optgroup>')
        else:
            parts.append(option(option_value, label))
    return "".join(parts)


def escape(value) -> str:
    """Django's conditional_escape (text already marked safe stays as it is; the rest goes through
    `html.escape`, as Django's own does) without its per-call wrappers, which cost more than the
    string work in a select of hundreds of options."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))
