"""Forms for cases, timeline entries, evidence, ladder moves and the case list. Validation only.

Forms never set stage or status and never save: views hand their cleaned
data to a service.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms.fields import (
    BoundedDateField,
    BoundedDateTimeField,
    FastSelect,
    FastTextInput,
    FixedChoiceField,
    MultipleFileField,
    SettleMeta,
)
from disputes.models import Case, Client, Evidence, Project, TimelineEntry
from disputes.prepared import prepared
from disputes.rules import checklist, filenames, ladder, lessons
from disputes.services.cases import CASE_FIELDS
from disputes.uploads import ALLOWED_DESCRIPTION


class CaseForm(forms.ModelForm):
    class Meta(SettleMeta):
        model = Case
        fields = list(CASE_FIELDS)
        widgets = {
            "client_complaint": forms.Textarea(attrs={"rows": 3}),
            "client_wants": forms.Textarea(attrs={"rows": 2}),
            "offered_solutions": forms.Textarea(attrs={"rows": 2}),
        }


class CaseOpenForm(CaseForm):
    project = forms.ModelChoiceField(queryset=Project.objects.none())

    class Meta(CaseForm.Meta):
        fields = ["project", *CaseForm.Meta.fields]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived projects (and projects of archived clients) are not offered: restore one to open a case on it.
        projects = Project.objects.for_owner(owner).listed().select_related("client")
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: f"{p.title} — {p.client.name} ({p.currency})"
        self.fields["project"].help_text = _("The case is in the project's currency.")
        if not self.initial.get("project"):
            only = list(projects.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial["project"] = only[0]


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in TimelineEntry.MANUAL_KINDS])
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", "—"), *TimelineEntry._meta.get_field("channel").choices],
        required=False,
        help_text=_("For messages and calls."),
    )
    happened_at = BoundedDateTimeField(label=_("When it happened"), required=False, help_text=_("Leave empty for now."))
    body = forms.CharField(label=_("What was said or done"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("For a payment received."),
    )
    share = forms.BooleanField(
        label=_("Share this note"),
        required=False,
        help_text=_(
            "A note is yours alone unless you share it: Settle staff, a mediator and the case file see only "
            "shared entries. Messages, calls and payments are always shared."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        # Only a note can be private; every other kind is part of the shared record.
        cleaned["shared"] = kind != TimelineEntry.Kind.NOTE or bool(cleaned.get("share"))
        if kind in TimelineEntry.CHANNEL_KINDS and not cleaned.get("channel"):
            self.add_error("channel", _("Say through which channel this happened."))
        if kind == TimelineEntry.Kind.PAYMENT and not cleaned.get("amount"):
            self.add_error("amount", _("Enter the amount received."))
        if kind and kind != TimelineEntry.Kind.PAYMENT and not (cleaned.get("body") or "").strip():
            self.add_error("body", _("Write what was said or done."))
        if kind != TimelineEntry.Kind.PAYMENT and cleaned.get("amount") is not None:
            self.add_error("amount", _("Only a payment has an amount."))
        return cleaned


class CorrectionForm(forms.Form):
    channel = EntryForm.base_fields["channel"]
    happened_at = BoundedDateTimeField(label=_("When it happened"))
    body = forms.CharField(label=_("Corrected text"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args, original: TimelineEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = original
        if original.kind not in TimelineEntry.CHANNEL_KINDS:
            del self.fields["channel"]
        if original.kind != TimelineEntry.Kind.PAYMENT:
            del self.fields["amount"]


class NoAnswerNeededForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the client only said thanks, or the question was answered on a call."),
    )


MAX_CAPTION = 300


class EvidenceForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Up to %(upload)s files, %(bytes)s MB each: %(description)s.")
        % {
            "upload": settings.EVIDENCE_MAX_FILES_PER_UPLOAD,
            "bytes": settings.EVIDENCE_MAX_FILE_BYTES // (1024 * 1024),
            "description": ALLOWED_DESCRIPTION,
        },
    )
    kind = forms.ChoiceField(choices=Evidence.Kind.choices)
    caption = forms.CharField(max_length=MAX_CAPTION, required=False)
    captured_on = BoundedDateField(label=_("Date captured"), required=False)
    entry = forms.ModelChoiceField(
        queryset=TimelineEntry.objects.none(), required=False, label=_("Tied to timeline entry")
    )
    checklist_item = forms.ChoiceField(
        label=_("Checklist item"),
        required=False,
        help_text=_("Which item of the case's evidence checklist these files show."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].choices = [
            ("", _("None in particular")),
            *((key, _(label)) for key, label in checklist.choices(case.kind)),
        ]
        # Only this case's own entries can be chosen.
        self.fields["entry"].queryset = TimelineEntry.objects.filter(case=case).exclude(
            kind__in=[TimelineEntry.Kind.STAGE_CHANGE, TimelineEntry.Kind.EVIDENCE]
        )
        self.fields["entry"].label_from_instance = lambda e: f"{e.get_kind_display()} — {e.body[:60]}"

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        if len(files) > settings.EVIDENCE_MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Upload at most %(upload)s files at once.") % {"upload": settings.EVIDENCE_MAX_FILES_PER_UPLOAD}
            )
        return files

    def clean_captured_on(self):
        captured_on = self.cleaned_data["captured_on"]
        if captured_on and captured_on > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return captured_on

    def clean(self):
        """Each file's own kind and caption (`file_kind`, `file_caption`, one pair per file in the
        order chosen; the page adds them once files are picked) as `labels`, or None when the
        files share the form's kind and caption. A blank one is guessed from the file's name."""
        cleaned = super().clean()
        cleaned["labels"] = None
        kinds, captions = self.data.getlist("file_kind"), self.data.getlist("file_caption")
        files = cleaned.get("files") or []
        if not (kinds or captions) or not files:
            return cleaned
        if len(kinds) != len(files) or len(captions) != len(files):
            self.add_error(
                "files", _("The files and their kinds and captions do not match up; choose the files again.")
            )
            return cleaned
        labels = []
        for number, (upload, kind, caption) in enumerate(zip(files, kinds, captions, strict=True), start=1):
            kind = kind or filenames.guess_kind(upload.name)
            caption = caption.strip() or filenames.caption_from(upload.name)
            if kind not in Evidence.Kind.values:
                self.add_error(
                    "files",
                    _("File %(number)s (%(upload_name)s): pick what kind of evidence it is.")
                    % {"number": number, "upload_name": upload.name},
                )
            if len(caption) > MAX_CAPTION:
                self.add_error(
                    "files",
                    _("File %(number)s (%(upload_name)s): keep its caption to %(caption)s characters.")
                    % {"number": number, "upload_name": upload.name, "caption": MAX_CAPTION},
                )
            labels.append((kind, caption))
        cleaned["labels"] = labels
        return cleaned


class MoveForm(forms.Form):
    """The reason (and, for some moves, details) for one ladder move."""

    expected_stage = forms.ChoiceField(choices=Case.Stage.choices, widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=Case.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Why now? This goes on the record."))
    ground = forms.ChoiceField(
        choices=[("", "—"), *((key, _(label)) for key, label in ladder.FAST_TRACK_GROUNDS.items())],
        required=False,
        label=_("Ground"),
    )
    outcome = forms.ChoiceField(
        choices=[("", "—"), *((o, Case.Outcome(o).label) for o in ladder.RESOLVED_OUTCOMES)],
        required=False,
        label=_("How it ended"),
    )
    amount_recovered = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    root_cause_kind = forms.ChoiceField(
        choices=[("", "—"), *lessons.CHOICES], required=False, label=_("Root cause"),
        help_text=_("What mostly led here. Your lessons page gathers these across cases."),
    )  # fmt: skip
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("In your words"))
    lessons_learned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What would have prevented this: a clearer brief, concrete dates, prepayment, a revision limit…"),
    )

    def __init__(self, *args, move: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        if move != ladder.FAST_TRACK:
            del self.fields["ground"]
        else:
            self.fields["ground"].required = True
        if move not in (ladder.RESOLVE, ladder.WALK_AWAY):
            for name in ("outcome", "amount_recovered", "root_cause_kind", "root_cause", "lessons_learned"):
                del self.fields[name]
        elif move == ladder.WALK_AWAY:
            del self.fields["outcome"]
        else:
            self.fields["outcome"].required = True


def _select() -> FastSelect:
    return FastSelect(attrs={"class": "form-select form-select-sm"})


@prepared
def _client_options(owner_id: int):
    """The client filter's options (the same query on every view of the case list: disputes.prepared)."""
    clients = Client.objects.filter(owner_id=owner_id).order_by(*Client._meta.ordering)
    return clients.values_list("pk", "name", "company")


class CaseFilterForm(forms.Form):
    SORTS = {
        "-opened": ("-opened_at", _("Newest first")),
        "opened": ("opened_at", _("Oldest first")),
        "-amount": ("-amount_in_dispute", _("Largest amount")),
        "title": ("title", _("Title A to Z")),
        "-activity": ("-stage_changed_at", _("Recently moved")),
        "deadline": ("response_due_at", _("Answer due first")),
    }
    q = forms.CharField(
        required=False,
        label=_("Search"),
        max_length=100,
        widget=FastTextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("Title or client")}),
    )
    stage = FixedChoiceField(choices=[("", _("Any stage")), *Case.Stage.choices], required=False, widget=_select())
    status = FixedChoiceField(choices=[("", _("Any status")), *Case.Status.choices], required=False, widget=_select())
    kind = FixedChoiceField(choices=[("", _("Any kind")), *Case.Kind.choices], required=False, widget=_select())
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label=_("Any client"), widget=_select()
    )
    response = FixedChoiceField(
        choices=[
            ("", "Any"),
            ("overdue", "Overdue"),
            ("due_soon", _("Due soon")),
            ("waiting", _("Waiting for my answer")),
        ],
        required=False,
        label=_("Answer"),
        widget=_select(),
    )
    sort = FixedChoiceField(choices=[(k, v[1]) for k, v in SORTS.items()], required=False, widget=_select())

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_owner(owner)
        # The options from plain rows, not model instances: one per client, on every list view.
        self.fields["client"].widget.choices = [
            ("", _("Any client")),
            *((pk, Client.label(name, company)) for pk, name, company in _client_options(owner.pk)),
        ]
