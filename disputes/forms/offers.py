"""Offers to settle, and the client's answer on the link's page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms.fields import BoundedDateField, CurrencyField, DateInput
from disputes.models import Offer


class OfferForm(forms.Form):
    side = forms.ChoiceField(
        choices=[
            (Offer.Side.FREELANCER, _("Mine: I offer this to the client")),
            (Offer.Side.CLIENT, _("The client's: they offered this to me")),
        ],
        widget=forms.RadioSelect,
        initial=Offer.Side.FREELANCER,
        label=_("Whose offer is it?"),
    )
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, label=_("Amount the client pays to settle"),
        error_messages={"invalid": _("Enter the amount as a number, e.g. 800 or 800.50.")},
    )  # fmt: skip
    currency = CurrencyField()
    terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "data-phrase-target": "1"}),
        help_text=_("What each side does and by when: the payment, the files handed over, what is dropped."),
    )
    expires_on = BoundedDateField(label=_("Open until (the last day)"), widget=DateInput())
    email = forms.BooleanField(
        required=False,
        label=_("E-mail it to the client with a link to accept or decline (your own offer only)"),
    )
    counter_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OfferAnswerForm(forms.Form):
    """The client's answer on the link's page: which button, and the digest of the text shown."""

    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    shown = forms.CharField(max_length=64, widget=forms.HiddenInput)
