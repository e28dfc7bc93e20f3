"""Forms for mail to the client and for imports. Validation only."""

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms.fields import BoundedDateField, BoundedDateTimeField, FastSelect
from disputes.models import Evidence
from disputes.services.import_preview import CLIENT, ME, SKIP

MAPPING_CHOICES = [(CLIENT, _("The client")), (ME, "Me"), (SKIP, _("Leave out"))]


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


class MailForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 12}))
    attachments = forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Photos go without their location and camera details."),
    )
    send_at = BoundedDateTimeField(
        label=_("Send at"),
        required=False,
        help_text=_("Leave empty to send now. Times are in your time zone."),
    )
    hold_minutes = forms.TypedChoiceField(
        label=_("Cool off first"),
        choices=[
            ("", _("No hold (unless the client's last message was heated)")),
            (15, _("Hold 15 minutes")),
            (20, _("Hold 20 minutes")),
            (30, _("Hold 30 minutes")),
            (60, _("Hold 1 hour")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Written in the heat of the moment? Hold it, read it again, then let it go or cancel it."),
    )
    template = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].queryset = case.evidence.order_by("-uploaded_at", "-id")
        self.fields["attachments"].label_from_instance = lambda item: (
            f"{item.original_name} ({item.get_kind_display()})"
        )


class FinalizeForm(forms.Form):
    SETTLE, RECORDED = "settle", "recorded"

    delivery = forms.ChoiceField(
        label=_("How the letter reaches the client"),
        choices=[
            (SETTLE, _("Settle e-mails it to the client now, with the PDF attached")),
            (RECORDED, _("I send it myself (post, the platform, my own e-mail): record it as sent by me")),
        ],
        widget=forms.RadioSelect,
        initial=SETTLE,
    )
    cover_note = forms.CharField(
        label=_("The e-mail that carries it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only when Settle sends it."),
    )
    sent_on = BoundedDateField(
        label=_("The day you sent it"),
        required=False,
        help_text=_("Only when you send it yourself. Leave empty for today."),
    )
    channel = forms.ChoiceField(label=_("How you sent it"), required=False)
    move_case = forms.BooleanField(
        required=False, label=_("Also move the case to the formal-letter rung"), initial=True
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(channels)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File to import"),
        help_text=_("An e-mail (.eml), a mailbox (.mbox), or a WhatsApp chat export (.txt, or .zip with media)."),
    )
    time_zone = forms.ChoiceField(
        widget=FastSelect,
        label=_("Time zone the chat was exported in"),
        help_text=_("A chat export carries no time zone: pick the one the phone was set to. E-mails carry their own."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()


class ImportApplyForm(forms.Form):
    """The preview's choices: which messages, who each sender is, and the chat's time zone and date order."""

    token = forms.CharField(widget=forms.HiddenInput)
    time_zone = forms.ChoiceField(label=_("Time zone of the export"), widget=FastSelect)
    day_first = forms.TypedChoiceField(
        label=_("Dates in the chat read"),
        choices=[("1", "day before month (31/12)"), ("0", "month before day (12/31)")],
        coerce=lambda value: value == "1",
        required=False,
    )
    selected = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, preview=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()
        self.senders = []
        if preview is None:
            return
        self.fields["selected"].choices = [(item.index, str(item.index)) for item in preview.items]
        for position, (key, label, suggested) in enumerate(preview.senders):
            name = f"sender_{position}"
            self.fields[name] = forms.ChoiceField(
                label=label or "(no sender)", choices=MAPPING_CHOICES, initial=suggested, widget=forms.RadioSelect
            )
            self.senders.append((name, key))

    def mapping(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(name) or SKIP for name, key in self.senders}


def _evidence_label(item: Evidence) -> str:
    return f"{item.original_name} ({item.get_kind_display()})"
