"""Forms for platform tickets, outside deadlines, their catalogue and the calendar feed."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms.fields import BoundedDateField, BoundedDateTimeField, SettleMeta
from disputes.models import Deadline, DeadlineTemplate, Ticket
from disputes.rules import deadlines as rules


class TicketForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https",
                         help_text=_("The ticket's page, if it has one."),
                         widget=forms.URLInput(attrs={"placeholder": "https://"}))  # fmt: skip

    class Meta(SettleMeta):
        model = Ticket
        fields = ["body", "reference", "url"]
        help_texts = {
            "body": _("For example: Upwork dispute team, Stripe (card chargeback), the mediation service, a court."),
        }


class DeadlineForm(forms.Form):
    """A deadline typed in (what, by when) or picked from the catalogue (counted in days from the
    day the notice arrived, to the end of that day in the user's zone)."""

    template = forms.ModelChoiceField(
        label=_("Common deadline"),
        queryset=DeadlineTemplate.objects.none(),
        required=False,
        empty_label=_("— none: typed below —"),
        help_text=_("Check its number of days against what the platform or body wrote."),
    )
    notice_on = BoundedDateField(
        label=_("Notice received on"), required=False, help_text=_("Its days count from this day.")
    )
    title = forms.CharField(label=_("What is due"), max_length=200, required=False)
    due_at = BoundedDateTimeField(label=_("Due by"), required=False, help_text=_("In your time zone."))
    owed_by = forms.ChoiceField(
        label=_("Who owes it"), required=False,
        choices=[("", _("As the common deadline says (else you)")), *Deadline.OwedBy.choices],
    )  # fmt: skip
    ticket = forms.ModelChoiceField(label=_("Ticket"), queryset=Ticket.objects.none(), required=False,
                                    empty_label=_("— none —"))  # fmt: skip

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["template"].queryset = DeadlineTemplate.objects.filter(Q(owner=None) | Q(owner=user))
        self.fields["ticket"].queryset = case.tickets.all()
        if not self.is_bound:
            self.initial.setdefault("notice_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None and not data.get("due_at"):
            start = data.get("notice_on")
            if start is None:
                self.add_error("notice_on", _("Say when the notice arrived, or type the due time below."))
                return data
            data["due_at"] = rules.due_from_days(start, template.days, self.user.time_zone)
            data["title"] = data.get("title") or template.title
            data["owed_by"] = data.get("owed_by") or template.owed_by
        data["owed_by"] = data.get("owed_by") or Deadline.OwedBy.ME
        if not data.get("title"):
            self.add_error("title", _("Say what is due, or pick a common deadline above."))
        if not data.get("due_at") and "due_at" not in self.errors:
            self.add_error("due_at", _("Give the date and time it is due, or pick a common deadline above."))
        elif data.get("due_at") and (problem := rules.due_problem(data["due_at"], timezone.now())):
            self.add_error("due_at" if not template else "notice_on", problem)
        return data


class DeadlineMoveForm(forms.Form):
    due_at = BoundedDateTimeField(label=_("New due time"), help_text=_("In your time zone."))
    reason = forms.CharField(label=_("Why it moves"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example: the platform granted three more days."))  # fmt: skip

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if problem := rules.due_problem(due_at, timezone.now()):
            raise forms.ValidationError(problem)
        return due_at


class DeadlineTemplateForm(forms.ModelForm):
    class Meta(SettleMeta):
        model = DeadlineTemplate
        fields = ["title", "days", "owed_by", "note"]

    def clean_days(self):
        days = self.cleaned_data["days"]
        if not 1 <= days <= 3 * 365:
            raise forms.ValidationError(_("Between 1 day and three years."))
        return days
