"""The settings page's form: who you are, your time zone, and your response clock. Validation only."""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.forms import TimeZoneField
from accounts.models import User
from disputes.forms.fields import SettleMeta


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta(SettleMeta):
        model = User
        fields = ["name", "business_name", "time_zone", "language", "email_reminders", "response_window_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]
        limit = settings.RESPONSE_WINDOW_HOURS
        field = self.fields["response_window_hours"]
        field.min_value, field.max_value = 1, limit
        field.validators += [MinValueValidator(1), MaxValueValidator(limit)]
        field.widget.attrs.update({"min": 1, "max": limit, "placeholder": str(limit)})
        field.help_text = _(
            "Answer a client's concern within this many hours: %(limit)s at most, fewer if you like."
        ) % {"limit": limit}
