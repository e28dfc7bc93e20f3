"""Clients, projects, scope agreements, dispute cases, their timeline and evidence.

Reads start from the queryset methods (`for_owner`); writes go through
`disputes.services`. Models hold no rules of their own beyond field
validation; the ladder's rules are in `disputes.ladder`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import validate_time_zone
from disputes import ladder

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code, e.g. USD or EUR.")
money_validator = MinValueValidator(Decimal("0"), "Amounts cannot be negative.")


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PLATFORM = "platform", "Platform messages"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    CHAT = "chat", "Chat app"
    LETTER = "letter", "Letter / post"
    OTHER = "other", "Other"


class OwnedQuerySet(models.QuerySet):
    def for_owner(self, user):
        return self.filter(owner=user)


# --- Clients -----------------------------------------------------------------------
class Client(models.Model):
    class Platform(models.TextChoices):
        UPWORK = "upwork", "Upwork"
        FIVERR = "fiverr", "Fiverr"
        FREELANCER = "freelancer", "Freelancer.com"
        TOPTAL = "toptal", "Toptal"
        THUMBTACK = "thumbtack", "Thumbtack"
        DIRECT = "direct", "Direct"
        OTHER = "other", "Other"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=50, blank=True)
    preferred_channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.DIRECT)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    def get_absolute_url(self) -> str:
        return reverse("disputes:client_detail", args=[self.pk])


class WarningSign(models.Model):
    class Kind(models.TextChoices):
        UNPAID_TEST_WORK = "unpaid_test_work", "Asked for unpaid test work"
        SOURCE_BEFORE_PAYMENT = "source_before_payment", "Asked for source files before paying"
        OFF_PLATFORM = "off_platform", "Proposed working or paying off-platform"
        UNUSUAL_PAYMENT = "unusual_payment", "Unusual payment method"
        REFUSED_PREPAYMENT = "refused_prepayment", "Refused any prepayment"
        ABUSIVE_LANGUAGE = "abusive_language", "Abusive or threatening language"
        IGNORES_BOUNDARIES = "ignores_boundaries", "Ignores boundaries or schedules"
        NEVER_SATISFIED = "never_satisfied", "Never satisfied"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="warning_signs")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    noticed_on = models.DateField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-noticed_on", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Projects and their terms ----------------------------------------------------------
class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "In progress"
        DELIVERED = "delivered", "Delivered"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(max_length=3, default="USD", validators=[currency_validator])
    prepayment_percent = models.PositiveSmallIntegerField(
        "prepayment (%)",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Share of each iteration paid before work on it starts.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="project_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disputes:project_detail", args=[self.pk])

    def clean(self) -> None:
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError({"due_date": "The due date cannot be before the start date."})


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    due_date = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class ScopeAgreement(models.Model):
    """One version of a project's written terms. Versions are never edited."""

    class Source(models.TextChoices):
        SIGNED_CONTRACT = "signed_contract", "Signed contract"
        PLATFORM_CONTRACT = "platform_contract", "Platform contract"
        EMAIL = "email", "E-mail"
        VERBAL_SUMMARISED = "verbal_summarised", "Verbal agreement, summarised in writing"

    # The fields compared between versions, in display order.
    TERMS = (
        "deliverables",
        "volume",
        "deadlines",
        "price",
        "currency",
        "revision_rounds",
        "cancellation_policy",
        "rescheduling_policy",
        "dispute_resolution",
        "source",
        "accepted_at",
        "accepted_via",
    )

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    deliverables = models.TextField()
    volume = models.TextField(blank=True, help_text="How much work: pages, screens, hours, words…")
    deadlines = models.TextField(blank=True, help_text="Concrete dates, not “soon”.")
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(max_length=3, default="USD", validators=[currency_validator])
    revision_rounds = models.PositiveSmallIntegerField(default=2)
    cancellation_policy = models.TextField(blank=True)
    rescheduling_policy = models.TextField(blank=True)
    dispute_resolution = models.TextField("dispute-resolution clause", blank=True)
    source = models.CharField(max_length=30, choices=Source.choices, default=Source.EMAIL)
    accepted_at = models.DateTimeField("accepted by the client at", null=True, blank=True)
    accepted_via = models.CharField("accepted through", max_length=20, choices=Channel.choices, blank=True)
    change_note = models.CharField("what changed and why", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="agreement_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"


# --- Cases --------------------------------------------------------------------------------
class CaseQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)


class Case(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing (unpaid, late or disputed amount)"
        QUALITY = "quality", "Quality of the work"
        SCOPE = "scope", "Scope disagreement"
        DEADLINE = "deadline", "Missed deadline"
        CONDUCT = "conduct", "Conduct or abuse"
        FRAUD = "fraud", "Suspected fraud"

    class Stage(models.TextChoices):
        DIRECT_TALK = ladder.DIRECT_TALK, "Direct talk"
        REMINDERS = ladder.REMINDERS, "Reminders"
        FORMAL_LETTER = ladder.FORMAL_LETTER, "Formal letter"
        PLATFORM_SUPPORT = ladder.PLATFORM_SUPPORT, "Platform support"
        MEDIATION = ladder.MEDIATION, "Mediation"
        LEGAL = ladder.LEGAL, "Legal"

    class Status(models.TextChoices):
        OPEN = ladder.OPEN, "Open"
        RESOLVED = ladder.RESOLVED, "Resolved"
        WALKED_AWAY = ladder.WALKED_AWAY, "Walked away"

    class Outcome(models.TextChoices):
        PAID_IN_FULL = ladder.PAID_IN_FULL, "Paid in full"
        PARTIAL_PAYMENT = ladder.PARTIAL_PAYMENT, "Partial payment"
        REWORK_ACCEPTED = ladder.REWORK_ACCEPTED, "Rework accepted"
        REFUND = ladder.REFUND, "Refund"
        DISCOUNT = ladder.DISCOUNT, "Discount"
        COMPENSATION = ladder.COMPENSATION, "Compensation"
        WRITTEN_OFF = ladder.WRITTEN_OFF, "Written off"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="cases")
    # Copied from the project when the case opens, so lists filter by client without a join.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_in_dispute = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[money_validator]
    )
    currency = models.CharField(max_length=3, default="USD", validators=[currency_validator])
    client_complaint = models.TextField("what the client says is wrong", blank=True)
    client_wants = models.TextField("the outcome the client wants", blank=True)
    offered_solutions = models.TextField("what you can offer", blank=True)

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DIRECT_TALK)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    stage_changed_at = models.DateTimeField()

    outcome = models.CharField("how it ended", max_length=20, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[money_validator]
    )
    root_cause = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)

    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The due time of the oldest unanswered concern, kept by services.concerns.
    response_due_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "response_due_at"], name="case_owner_response_due"),
            models.Index(fields=["owner", "status", "stage"]),
            models.Index(fields=["owner", "-opened_at"]),
            models.Index(fields=["owner", "client"]),
            models.Index(fields=["owner", "kind"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disputes:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def ladder_state(self) -> ladder.CaseState:
        return ladder.CaseState(stage=self.stage, status=self.status)


# --- Timeline -------------------------------------------------------------------------------
class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a timeline entry."""


class TimelineEntry(models.Model):
    """One thing that happened on a case. Entries are never changed or deleted.

    `happened_at` is when it happened (entered by the user); `recorded_at` is
    when it was written down. A correction is a new entry whose `corrects`
    points at the entry it replaces.
    """

    class Kind(models.TextChoices):
        MESSAGE_IN = "message_in", "Message from the client"
        MESSAGE_OUT = "message_out", "Message to the client"
        CALL = "call", "Call or meeting summary"
        NOTE = "note", "Note"
        PAYMENT = "payment", "Payment received"
        SCOPE_CHANGE = "scope_change", "Scope change"
        STAGE_CHANGE = "stage_change", "Stage change"
        EVIDENCE = "evidence", "Evidence added"
        NO_ANSWER_NEEDED = "no_answer_needed", "No answer needed"

    # Kinds a person writes by hand; the others are written by services.
    MANUAL_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.CALL, Kind.NOTE, Kind.PAYMENT, Kind.SCOPE_CHANGE)
    CHANNEL_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.CALL)
    # Kinds the response clock reads.
    CLOCK_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.NO_ANSWER_NEEDED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    body = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, validators=[money_validator])
    happened_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    # For "no answer needed": the incoming message it is about.
    about = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    # Filled on stage changes only: the ladder move and the states around it.
    move = models.CharField(max_length=20, blank=True)
    from_stage = models.CharField(max_length=20, choices=Case.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Case.Stage.choices, blank=True)
    from_status = models.CharField(max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Case.Status.choices, blank=True)
    ground = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["happened_at", "id"]
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["case", "happened_at"]),
            models.Index(fields=["case", "kind"]),
            models.Index(fields=["-recorded_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="entry_corrected_once"
            ),
            models.UniqueConstraint(
                fields=["about"], condition=Q(kind="no_answer_needed"), name="entry_no_answer_needed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_at:%Y-%m-%d}"

    # The record is never rewritten: these guards make an accidental update or
    # delete through the ORM fail loudly instead of silently changing history.
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Timeline entries cannot be changed; add a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline entries cannot be deleted; add a correction instead.")

    @property
    def recorded_later(self) -> bool:
        """Whether it was written down noticeably after it happened."""
        return abs((self.recorded_at - self.happened_at).total_seconds()) > 60

    @property
    def is_stage_change(self) -> bool:
        return self.kind == self.Kind.STAGE_CHANGE

    @property
    def move_label(self) -> str:
        return ladder.MOVE_LABELS.get(self.move, "")

    @property
    def ground_label(self) -> str:
        return ladder.FAST_TRACK_GROUNDS.get(self.ground, "")


# --- Evidence -----------------------------------------------------------------------------
def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The server chooses the name; the user's file name is kept only as data.
    return f"evidence/{instance.case_id}/{uuid.uuid4().hex}{instance.extension}"


def thumbnail_upload_to(instance: Evidence, filename: str) -> str:
    return f"thumbnails/{instance.case_id}/{uuid.uuid4().hex}.jpg"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        SCREENSHOT = "screenshot", "Conversation screenshot"
        CONTRACT = "contract", "Contract or estimate"
        INVOICE = "invoice", "Invoice"
        DELIVERABLE = "deliverable", "Deliverable"
        PHOTO = "photo", "Photo (before / after)"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    caption = models.CharField(max_length=300, blank=True)
    captured_on = models.DateField("date captured", null=True, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["case", "-uploaded_at"])]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def is_image(self) -> bool:
        return bool(self.thumbnail)


# --- The response clock -------------------------------------------------------------
class Concern(models.Model):
    """An incoming client message that needs an answer within the response window.

    Rows are kept in step with the timeline by `services.concerns.concerns_sync`.
    The sweep finds due rows through the partial index on `due_at` and flags
    each one with a conditional UPDATE; the `*_sweep` columns say which sweep
    won it, so only that sweep sends anything.
    """

    class State(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        NOT_NEEDED = "not_needed", "No answer needed"
        CASE_CLOSED = "case_closed", "Case closed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="concerns")
    message = models.OneToOneField(TimelineEntry, on_delete=models.CASCADE, related_name="concern")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    due_soon_flagged_at = models.DateTimeField(null=True, blank=True)
    due_soon_sweep = models.UUIDField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    overdue_sweep = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # What the sweep asks every few minutes: which open concerns are due by now?
            models.Index(fields=["due_at"], condition=Q(state="open"), name="concern_open_due"),
            models.Index(fields=["due_soon_sweep"], name="concern_due_soon_sweep"),
            models.Index(fields=["overdue_sweep"], name="concern_overdue_sweep"),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} on case {self.case_id}"


class ReminderEmail(models.Model):
    """One e-mail to one user for one sweep: an outbox row.

    The sender claims the row (pending/failed → sending) with a conditional
    UPDATE before talking to the mail server, then records sent or failed. If
    the process dies mid-send, the row stays "sending": it is never sent again
    on its own (at most once). Staff see it in the admin and can retry it,
    knowing the user may then get it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_emails")
    sweep = models.UUIDField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "sweep"], name="reminder_email_once_per_sweep")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="reminder_email_to_send",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder e-mail {self.pk} to {self.user_id} ({self.status})"


class Reminder(models.Model):
    """That one concern became due soon or overdue. At most one per (concern, kind)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.ForeignKey(ReminderEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["concern", "kind"], name="reminder_once_per_concern_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for concern {self.concern_id}"
