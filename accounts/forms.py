from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User
from accounts.timezones import time_zone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("initial", "UTC")
        kwargs.setdefault("help_text", "Every date and time in Settle is shown in this zone.")
        super().__init__(**kwargs)


class SignUpForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    name = forms.CharField(label="Your name", max_length=150, required=False)
    business_name = forms.CharField(max_length=200, required=False)
    time_zone = TimeZoneField()
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput(render_value=False))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists. Sign in instead.")
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        if p1 and not self.errors.get("password2"):
            candidate = User(email=cleaned.get("email") or "", name=cleaned.get("name") or "")
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(AuthenticationForm):
    """The sign-in form, in Settle's words. Throttling is django-axes' job (see `accounts.throttle`)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail address and password do not match an account.",
        "throttled": "Too many failed sign-ins for this address. Wait a few minutes, or reset your password.",
    }
