"""Forms validate input only; they never set stage or status and never save."""

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.forms import TimeZoneField
from disputes import ladder
from disputes.models import Case, Client, Evidence, Milestone, Project, ScopeAgreement, TimelineEntry, WarningSign
from disputes.services.cases import CASE_FIELDS
from disputes.services.clients import CLIENT_FIELDS
from disputes.services.projects import PROJECT_FIELDS
from disputes.uploads import ALLOWED_DESCRIPTION


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("help_text", "Three-letter code, e.g. USD, EUR, GBP.")
        super().__init__(**kwargs)

    def to_python(self, value):
        return (super().to_python(value) or "").strip().upper()


class ClientForm(forms.ModelForm):
    time_zone = TimeZoneField(help_text="The client's own time zone.")

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class WarningSignForm(forms.ModelForm):
    class Meta:
        model = WarningSign
        fields = ["kind", "noticed_on", "note"]
        widgets = {"noticed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["noticed_on"].initial = timezone.localdate

    def clean_noticed_on(self):
        noticed_on = self.cleaned_data["noticed_on"]
        if noticed_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return noticed_on


class ProjectForm(forms.ModelForm):
    currency = CurrencyField()

    class Meta:
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
        # Only the user's own clients can be chosen; any other id is "not a valid choice".
        self.fields["client"].queryset = Client.objects.for_owner(owner)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "amount", "due_date"]
        widgets = {"due_date": DateInput()}


class MilestonePaidForm(forms.Form):
    paid_on = forms.DateField(widget=DateInput(), required=False, help_text="Leave empty to mark as unpaid.")

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on and paid_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return paid_on


class AgreementForm(forms.ModelForm):
    currency = CurrencyField()

    class Meta:
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
            self.add_error("accepted_via", "Say through which channel the client accepted.")
        if accepted_via and not accepted_at:
            self.add_error("accepted_at", "Say when the client accepted.")
        if accepted_at and accepted_at > timezone.now():
            self.add_error("accepted_at", "This time is in the future.")
        return cleaned


class CaseForm(forms.ModelForm):
    currency = CurrencyField()

    class Meta:
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
        self.fields["project"].queryset = Project.objects.for_owner(owner).select_related("client")
        self.fields["project"].label_from_instance = lambda p: f"{p.title} — {p.client.name}"


class EntryForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in TimelineEntry.MANUAL_KINDS])
    channel = forms.ChoiceField(
        choices=[("", "—"), *TimelineEntry._meta.get_field("channel").choices],
        required=False,
        help_text="For messages and calls.",
    )
    happened_at = forms.DateTimeField(
        label="When it happened", widget=DateTimeInput(), required=False, help_text="Leave empty for now."
    )
    body = forms.CharField(label="What was said or done", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="For a payment received."
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in TimelineEntry.CHANNEL_KINDS and not cleaned.get("channel"):
            self.add_error("channel", "Say through which channel this happened.")
        if kind == TimelineEntry.Kind.PAYMENT and not cleaned.get("amount"):
            self.add_error("amount", "Enter the amount received.")
        if kind and kind != TimelineEntry.Kind.PAYMENT and not (cleaned.get("body") or "").strip():
            self.add_error("body", "Write what was said or done.")
        if kind != TimelineEntry.Kind.PAYMENT and cleaned.get("amount") is not None:
            self.add_error("amount", "Only a payment has an amount.")
        return cleaned


class CorrectionForm(forms.Form):
    channel = EntryForm.base_fields["channel"]
    happened_at = forms.DateTimeField(label="When it happened", widget=DateTimeInput())
    body = forms.CharField(label="Corrected text", widget=forms.Textarea(attrs={"rows": 4}), required=False)
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
        help_text="For example: the client only said thanks, or the question was answered on a call.",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EvidenceForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text=f"Up to {settings.EVIDENCE_MAX_FILES_PER_UPLOAD} files, "
        f"{settings.EVIDENCE_MAX_FILE_BYTES // (1024 * 1024)} MB each: {ALLOWED_DESCRIPTION}.",
    )
    kind = forms.ChoiceField(choices=Evidence.Kind.choices)
    caption = forms.CharField(max_length=300, required=False)
    captured_on = forms.DateField(label="Date captured", widget=DateInput(), required=False)
    entry = forms.ModelChoiceField(
        queryset=TimelineEntry.objects.none(), required=False, label="Tied to timeline entry"
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this case's own entries can be chosen.
        self.fields["entry"].queryset = TimelineEntry.objects.filter(case=case).exclude(
            kind__in=[TimelineEntry.Kind.STAGE_CHANGE, TimelineEntry.Kind.EVIDENCE]
        )
        self.fields["entry"].label_from_instance = lambda e: f"{e.get_kind_display()} — {e.body[:60]}"

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError("Choose at least one file.")
        if len(files) > settings.EVIDENCE_MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(f"Upload at most {settings.EVIDENCE_MAX_FILES_PER_UPLOAD} files at once.")
        return files

    def clean_captured_on(self):
        captured_on = self.cleaned_data["captured_on"]
        if captured_on and captured_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return captured_on


class MoveForm(forms.Form):
    """The reason (and, for some moves, details) for one ladder move."""

    expected_stage = forms.ChoiceField(choices=Case.Stage.choices, widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=Case.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why now? This goes on the record.")
    ground = forms.ChoiceField(choices=[("", "—"), *ladder.FAST_TRACK_GROUNDS.items()], required=False, label="Ground")
    outcome = forms.ChoiceField(
        choices=[("", "—"), *((o, Case.Outcome(o).label) for o in ladder.RESOLVED_OUTCOMES)],
        required=False,
        label="How it ended",
    )
    amount_recovered = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    lessons_learned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What would have prevented this: a clearer brief, concrete dates, prepayment, a revision limit…",
    )

    def __init__(self, *args, move: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        if move != ladder.FAST_TRACK:
            del self.fields["ground"]
        else:
            self.fields["ground"].required = True
        if move not in (ladder.RESOLVE, ladder.WALK_AWAY):
            for name in ("outcome", "amount_recovered", "root_cause", "lessons_learned"):
                del self.fields[name]
        elif move == ladder.WALK_AWAY:
            del self.fields["outcome"]
        else:
            self.fields["outcome"].required = True


class CaseFilterForm(forms.Form):
    SORTS = {
        "-opened": ("-opened_at", "Newest first"),
        "opened": ("opened_at", "Oldest first"),
        "-amount": ("-amount_in_dispute", "Largest amount"),
        "title": ("title", "Title A to Z"),
        "-activity": ("-stage_changed_at", "Recently moved"),
        "deadline": ("response_due_at", "Answer due first"),
    }
    q = forms.CharField(required=False, label="Search", max_length=100)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Case.Stage.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Case.Status.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Case.Kind.choices], required=False)
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False, empty_label="Any client")
    response = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("overdue", "Overdue"),
            ("due_soon", "Due soon"),
            ("waiting", "Waiting for my answer"),
        ],
        required=False,
        label="Answer",
    )
    sort = forms.ChoiceField(choices=[(k, v[1]) for k, v in SORTS.items()], required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.for_owner(owner).only("id", "name", "company")
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.update({"class": css, "id": f"id_{name}"})
        self.fields["q"].widget.attrs["placeholder"] = "Title or client"
