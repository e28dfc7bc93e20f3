from functools import cache

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.timezones import time_zone_choices

ZONE_LIST = "time-zone-names"


@cache
def _zone_datalist() -> SafeString:
    options = format_html_join("", '<option value="{}">', ((value,) for value, _ in time_zone_choices()))
    return mark_safe(f'<datalist id="{ZONE_LIST}">{options}</datalist>')


class TimeZoneInput(forms.TextInput):
    """A text box that suggests the zones as you type ("Berl" finds Europe/Berlin): about 400 of
    them are too many to scroll. With `detect`, static/js/timezone.js fills in the browser's own
    zone while the box still says UTC."""

    def __init__(self, attrs=None, *, detect: bool = False):
        attrs = {"list": ZONE_LIST, "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        if detect:
            attrs["data-detect-zone"] = ""
        super().__init__(attrs)

    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(super().render(name, value, attrs, renderer) + _zone_datalist())


class TimeZoneField(forms.ChoiceField):
    default_error_messages = {
        "invalid_choice": _("Pick a time zone from the list, e.g. Europe/Berlin or America/Lima.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("initial", "UTC")
        kwargs.setdefault("help_text", _("Every date and time in Settle is shown in this zone. Type to search."))
        kwargs.setdefault("widget", TimeZoneInput)
        super().__init__(**kwargs)


class SignUpForm(forms.Form):
    """Who is asking. The password is chosen after following the link sent to the address."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    business_name = forms.CharField(max_length=200, required=False)
    time_zone = TimeZoneField(widget=TimeZoneInput(detect=True))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class SignInForm(AuthenticationForm):
    """The sign-in form, in Settle's words. Throttling is django-axes' job (see `accounts.throttle`)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
        "throttled": _("Too many failed sign-ins for this address. Wait a few minutes, or reset your password."),
    }
