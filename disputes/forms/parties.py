"""Forms for clients, warning signs, projects, milestones and scope agreements. Validation only."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import TimeZoneField
from disputes.forms.fields import BoundedDateField, CurrencyField, DateInput, DateTimeInput, SettleMeta
from disputes.models import Client, Milestone, Project, ScopeAgreement, WarningSign
from disputes.services.clients import CLIENT_FIELDS
from disputes.services.projects import PROJECT_FIELDS


class ClientForm(forms.ModelForm):
    time_zone = TimeZoneField(help_text=_("The client's own time zone. Type to search."))

    class Meta(SettleMeta):
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The same as mine")), *settings.LANGUAGES]


class WarningSignForm(forms.ModelForm):
    class Meta(SettleMeta):
        model = WarningSign
        fields = ["kind", "noticed_on", "note"]
        widgets = {"noticed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["noticed_on"].initial = timezone.localdate

    def clean_noticed_on(self):
        noticed_on = self.cleaned_data["noticed_on"]
        if noticed_on > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return noticed_on


class ProjectForm(forms.ModelForm):
    currency = CurrencyField(
        help_text=_(
            "The currency of the price, the payment plan and any case on this project. "
            "It cannot change once there is a payment plan or a case."
        )
    )

    class Meta(SettleMeta):
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {
            "start_date": DateInput(),
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ProjectCreateForm(ProjectForm):
    client = forms.ModelChoiceField(queryset=Client.objects.none())

    class Meta(ProjectForm.Meta):
        fields = ["client", *ProjectForm.Meta.fields]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own clients can be chosen (not archived ones); any other id is "not a valid choice".
        self.fields["client"].queryset = Client.objects.for_owner(owner).listed()


class MilestoneForm(forms.ModelForm):
    class Meta(SettleMeta):
        model = Milestone
        fields = ["title", "amount", "due_date"]
        widgets = {"due_date": DateInput()}


class MilestonePaidForm(forms.Form):
    paid_on = BoundedDateField(required=False, help_text=_("Leave empty to mark as unpaid."))

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on and paid_on > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return paid_on


class AgreementForm(forms.ModelForm):
    currency = CurrencyField()

    class Meta(SettleMeta):
        model = ScopeAgreement
        fields = [*ScopeAgreement.TERMS, "change_note"]
        widgets = {
            "deliverables": forms.Textarea(attrs={"rows": 4}),
            "volume": forms.Textarea(attrs={"rows": 2}),
            "deadlines": forms.Textarea(attrs={"rows": 2}),
            "cancellation_policy": forms.Textarea(attrs={"rows": 2}),
            "rescheduling_policy": forms.Textarea(attrs={"rows": 2}),
            "dispute_resolution": forms.Textarea(attrs={"rows": 2}),
            "accepted_at": DateTimeInput(),
        }

    def clean(self):
        cleaned = super().clean()
        accepted_at, accepted_via = cleaned.get("accepted_at"), cleaned.get("accepted_via")
        if accepted_at and not accepted_via:
            self.add_error("accepted_via", _("Say through which channel the client accepted."))
        if accepted_via and not accepted_at:
            self.add_error("accepted_at", _("Say when the client accepted."))
        if accepted_at and accepted_at > timezone.now():
            self.add_error("accepted_at", _("This time is in the future."))
        return cleaned
