from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.timezones import time_zone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("initial", "UTC")
        kwargs.setdefault("help_text", "Every date and time in Settle is shown in this zone.")
        super().__init__(**kwargs)


class SignUpForm(forms.Form):
    """Who is asking. The password is chosen after following the link sent to the address."""

    email = forms.EmailField(label="E-mail address", max_length=254)
    name = forms.CharField(label="Your name", max_length=150, required=False)
    business_name = forms.CharField(max_length=200, required=False)
    time_zone = TimeZoneField()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class SignInForm(AuthenticationForm):
    """The sign-in form, in Settle's words. Throttling is django-axes' job (see `accounts.throttle`)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail address and password do not match an account.",
        "throttled": "Too many failed sign-ins for this address. Wait a few minutes, or reset your password.",
    }
