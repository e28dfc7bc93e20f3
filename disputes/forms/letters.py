"""Forms for letters and case files. Validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes import signing
from disputes.forms.fields import DateInput, SettleMeta
from disputes.models import Letter, ScopeAgreement


class LetterForm(forms.ModelForm):
    class Meta(SettleMeta):
        model = Letter
        fields = [
            "subject",
            "body",
            "agreement",
            "amount_owed",
            "payment_instructions",
            "channel",
            "legal_action_date",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
            "legal_action_date": DateInput(),
        }
        labels = {"agreement": _("Scope agreement it rests on"), "legal_action_date": _("Legal action follows after")}

    def __init__(self, *args, case, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = ScopeAgreement.objects.filter(project=case.project).order_by("-version")
        self.fields["agreement"].label_from_instance = lambda a: f"Version {a.version} ({a.get_source_display()})"
        if kind != Letter.Kind.FINAL_NOTICE:
            del self.fields["legal_action_date"]
        else:
            self.fields["legal_action_date"].required = True
        self.fields["body"].help_text = _(
            "Plain text. Leave an empty line between paragraphs. The parties, the agreement, what is owed, "
            "the payment details and the deadline are added around it."
        )


class VerifyCasefileForm(forms.Form):
    file = forms.FileField(label=_("Case file (.zip)"))
    public_key = forms.CharField(
        label=_("Public key of another Settle installation (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "-----BEGIN PUBLIC KEY-----"}),
        help_text=_(
            "Leave empty to check against this installation's own keys. For a case file made elsewhere, "
            "paste the key that installation publishes at /signing-key/."
        ),
    )

    def clean_public_key(self):
        text = self.cleaned_data["public_key"].strip()
        if not text:
            return None
        try:
            signing.load_public_key(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not a public key Settle can use: %(error)s") % {"error": error}
            ) from None
        return text
