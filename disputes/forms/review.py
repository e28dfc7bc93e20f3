"""Forms for the staff review queue and for mediation. Validation only."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.forms.fields import BoundedDateField
from disputes.models import Case, ReviewAction


class QueueFilterForm(forms.Form):
    AGES = [("", _("Any age")), ("1", _("Over 1 day")), ("2", _("Over 2 days")), ("7", _("Over a week"))]
    stage = forms.ChoiceField(
        choices=[("", _("Any rung")), *((s.value, s.label) for s in Case.Stage if s.value in Case.ESCALATED)],
        required=False,
    )
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *Case.Kind.choices], required=False)
    age = forms.ChoiceField(choices=AGES, required=False, label=_("In queue"))
    min_amount = forms.DecimalField(required=False, min_value=0, label=_("Amount at least"))
    reviewer = forms.ChoiceField(required=False, label=_("Reviewer"))
    not_reviewed = forms.BooleanField(required=False, label=_("Not yet reviewed"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_staff=True, is_active=True).order_by("name", "email")
        self.fields["reviewer"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Unassigned"),
            *((str(user.pk), user.display_name) for user in staff),
        ]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
                continue
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.update({"class": css, "id": f"id_{name}"})


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Reviewer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_staff=True, is_active=True).order_by("email")


class ReviewNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    visible = forms.BooleanField(
        required=False,
        label=_("Show to the freelancer"),
        help_text=_("Visible notes go on their timeline and by e-mail."),
    )


class DecisionForm(forms.Form):
    recommendation = forms.ChoiceField(choices=ReviewAction.Recommendation.choices)
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text=_("For a partial payment only.")
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        cleaned = super().clean()
        partial = cleaned.get("recommendation") == ReviewAction.Recommendation.PARTIAL_PAYMENT
        if partial and not cleaned.get("amount"):
            self.add_error("amount", _("A partial payment needs its amount."))
        if not partial and cleaned.get("amount") is not None:
            self.add_error("amount", _("Only a partial payment has an amount."))
        return cleaned


class CloseReviewForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MediatorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Mediator's e-mail address"))


class MediatorNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class SettlementForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    deadline = BoundedDateField()

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class SettlementAnswerForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("A word for the record"))
