"""The reports page's range of months."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.selectors_reports import LONGEST_YEARS


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"class": "form-control form-control-sm"})
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a month, like 2026-03.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Pick a month between 2000 and 2100."))
        return value.replace(day=1) if value else value


class ReportRangeForm(forms.Form):
    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)

    def range(self) -> tuple[datetime.date, datetime.date]:
        """The months asked for, or the last twelve months (this one included) by default."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today.replace(day=1)
        start = data.get("start") or (end.replace(year=end.year - 1) + datetime.timedelta(days=32)).replace(day=1)
        return start, end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("“From” is after “To”: swap them."))
            if (end.year - start.year) * 12 + end.month - start.month >= LONGEST_YEARS * 12:
                raise forms.ValidationError(
                    _("A report covers at most %(years)s years: narrow the range.") % {"years": LONGEST_YEARS}
                )
        return data
