"""Dispute cases on the escalation ladder, and their append-only timeline."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from disputes.models.common import Channel, OwnedQuerySet, currency_validator, money_validator
from disputes.models.parties import Client, Project
from disputes.rules import ladder, lessons


class CaseQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)

    # Archived: the case, its project or its client (ARCHIVED_THROUGH), as the `shelved` column keeps it.
    def listed(self):
        return self.filter(shelved=False)

    def archived(self):
        return self.filter(shelved=True)

    def stage_counts(self, cap: int) -> dict[str, int] | None:
        """How many of these cases are on each rung, or None when there are more than `cap`: the
        database counts at most `cap + 1` rows and returns one row per rung, whatever the total."""
        inner = self.order_by().values("stage")[: cap + 1]
        try:
            sql, params = inner.query.sql_with_params()
        except EmptyResultSet:  # .none(), or a filter nothing can match
            return {}
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT capped.stage, COUNT(*) FROM ({sql}) capped GROUP BY capped.stage", params)  # noqa: S608
            counts = dict(cursor.fetchall())
        return None if sum(counts.values()) > cap else counts

    # The response clock. `response_due_at` is set only on open cases with an unanswered concern.
    def awaiting_answer(self):
        return self.filter(response_due_at__isnull=False)

    def answer_overdue(self, now):
        return self.filter(response_due_at__lte=now)

    def answer_due_soon(self, now, window):
        return self.filter(response_due_at__gt=now, response_due_at__lte=now + window)

    def for_staff(self):
        """Cases staff may see: those on an escalated rung. Nothing else, ever."""
        return self.filter(stage__in=Case.ESCALATED)

    def for_mediator(self, user):
        """The cases a mediator was invited to and still has access to."""
        return self.filter(mediator_accesses__mediator=user, mediator_accesses__revoked_at__isnull=True)


class Case(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", _("Billing (unpaid, late or disputed amount)")
        QUALITY = "quality", _("Quality of the work")
        SCOPE = "scope", _("Scope disagreement")
        DEADLINE = "deadline", _("Missed deadline")
        CONDUCT = "conduct", _("Conduct or abuse")
        FRAUD = "fraud", _("Suspected fraud")

    class Stage(models.TextChoices):
        DIRECT_TALK = ladder.DIRECT_TALK, _("Direct talk")
        REMINDERS = ladder.REMINDERS, _("Reminders")
        FORMAL_LETTER = ladder.FORMAL_LETTER, _("Formal letter")
        PLATFORM_SUPPORT = ladder.PLATFORM_SUPPORT, _("Platform support")
        MEDIATION = ladder.MEDIATION, _("Mediation")
        LEGAL = ladder.LEGAL, _("Legal")

    ESCALATED = tuple(sorted(ladder.ESCALATED_STAGES))

    class Status(models.TextChoices):
        OPEN = ladder.OPEN, _("Open")
        RESOLVED = ladder.RESOLVED, _("Resolved")
        WALKED_AWAY = ladder.WALKED_AWAY, _("Walked away")

    class Outcome(models.TextChoices):
        PAID_IN_FULL = ladder.PAID_IN_FULL, _("Paid in full")
        PARTIAL_PAYMENT = ladder.PARTIAL_PAYMENT, _("Partial payment")
        REWORK_ACCEPTED = ladder.REWORK_ACCEPTED, _("Rework accepted")
        REFUND = ladder.REFUND, _("Refund")
        DISCOUNT = ladder.DISCOUNT, _("Discount")
        COMPENSATION = ladder.COMPENSATION, _("Compensation")
        WRITTEN_OFF = ladder.WRITTEN_OFF, _("Written off")

    # PROTECT everywhere below: a case and its timeline are never deleted, by anyone, through any cascade.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="cases")
    # Copied from the project when the case opens, so lists filter by client without a join.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_in_dispute = models.DecimalField(
        _("amount in dispute"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=[money_validator]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_validator])
    client_complaint = models.TextField(_("what the client says is wrong"), blank=True)
    client_wants = models.TextField(_("the outcome the client wants"), blank=True)
    offered_solutions = models.TextField(_("what you can offer"), blank=True)

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DIRECT_TALK)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    stage_changed_at = models.DateTimeField(_("stage changed at"))

    outcome = models.CharField(_("how it ended"), max_length=20, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        _("amount recovered"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[money_validator]
    )
    root_cause_kind = models.CharField(_("root cause"), max_length=30, choices=lessons.CHOICES, blank=True)
    root_cause = models.TextField(_("root cause, in your words"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Archived, never deleted: hidden from the lists, kept with everything it holds.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Whether the case, its project or its client is archived (ARCHIVED_THROUGH), kept by database
    # triggers on all three tables (disputes.tallies): the lists read this one column through an index
    # instead of joining the project and the client of every case to test theirs.
    shelved = models.BooleanField(_("archived with its client or project"), default=False, editable=False)
    # The due time of the oldest unanswered concern, kept by services.clock.
    response_due_at = models.DateTimeField(_("response due at"), null=True, blank=True)
    # The timeline's hash chain (see rules.chain): how many entries, and the last link. Kept by entry_append.
    chain_length = models.PositiveIntegerField(_("chain length"), default=0)
    chain_head = models.CharField(_("chain head"), max_length=64, default="0" * 64)
    # When the latest timeline entry was written: the dashboard's recent activity starts from it.
    last_entry_at = models.DateTimeField(_("last entry at"), null=True, blank=True, editable=False)
    # The secret part of the case's reply address (services.mail_out.reply_address); unguessable, never reused.
    reply_token = models.CharField(_("reply token"), max_length=40, unique=True, null=True, blank=True, editable=False)
    ARCHIVED_THROUGH = ("archived_at", "project__archived_at", "client__archived_at")

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "response_due_at"], name="case_owner_response_due"),
            models.Index(fields=["owner", "status", "stage"]),
            models.Index(fields=["owner", "-opened_at"]),
            # A client's listed cases, by kind and rung, newest first: the case list filtered by client
            # reads its counts and its page from this index alone, however many cases the client has.
            models.Index(
                fields=["owner", "client", "kind", "stage", "-opened_at", "shelved"],
                condition=Q(shelved=False),
                name="case_owner_client_listed",
            ),
            models.Index(fields=["owner", "kind"]),
            models.Index(fields=["owner", "-last_entry_at"], name="case_owner_last_entry"),
            # The case list, newest first, and its counts per rung from the index alone (SQLite counts
            # an index as covering only when it holds every column the query names: hence `shelved`);
            # the archive.
            models.Index(
                fields=["owner", "-opened_at", "stage", "shelved"], condition=Q(shelved=False), name="case_owner_listed"
            ),
            models.Index(fields=["owner", "-opened_at"], condition=Q(shelved=True), name="case_owner_shelved"),
            # Reports and the lessons page: closed cases by when they closed.
            models.Index(fields=["owner", "closed_at"], condition=Q(closed_at__isnull=False), name="case_owner_closed"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disputes:case_detail", args=[self.pk])

    def get_staff_url(self) -> str:
        return reverse("disputes:staff_case", args=[self.pk])

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
    points at the entry it replaces. Every entry is a link in its case's hash
    chain (`sequence`, `content_sha256`, `previous_sha256`, `entry_sha256`;
    see `rules.chain`). A private entry (`shared` false) is the freelancer's
    own: staff, mediators and the case file see only its fingerprints.
    """

    class Kind(models.TextChoices):
        MESSAGE_IN = "message_in", _("Message from the client")
        MESSAGE_OUT = "message_out", _("Message to the client")
        CALL = "call", _("Call or meeting summary")
        NOTE = "note", _("Note")
        PAYMENT = "payment", _("Payment received")
        SCOPE_CHANGE = "scope_change", _("Scope change")
        STAGE_CHANGE = "stage_change", _("Stage change")
        EVIDENCE = "evidence", _("Evidence added")
        NO_ANSWER_NEEDED = "no_answer_needed", _("No answer needed")
        STAFF_NOTE = "staff_note", _("Note from Settle staff")
        STAFF_DECISION = "staff_decision", _("Decision by Settle staff")
        MEDIATOR_NOTE = "mediator_note", _("Mediator note")
        SETTLEMENT = "settlement", _("Settlement proposal")
        SETTLEMENT_ANSWER = "settlement_answer", _("Answer to a settlement proposal")
        SEAL = "seal", _("Record sealed")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        DELIVERY_FAILED = "delivery_failed", _("E-mail not delivered")
        OUTSIDE_DEADLINE = "outside_deadline", _("Platform ticket or deadline")
        WORK_STOPPED = "work_stopped", _("Work stopped until paid")
        WORK_RESUMED = "work_resumed", _("Work resumed")
        OFFER = "offer", _("Offer to settle")
        OFFER_ANSWER = "offer_answer", _("Answer to an offer")

    # Kinds a person writes by hand; the others are written by services.
    MANUAL_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.CALL, Kind.NOTE, Kind.PAYMENT, Kind.SCOPE_CHANGE)
    CHANNEL_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.CALL)
    # Kinds the response clock reads.
    CLOCK_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.NO_ANSWER_NEEDED)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    body = models.TextField(_("body"), blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[money_validator]
    )
    happened_at = models.DateTimeField(_("happened at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    # For "no answer needed": the incoming message it is about.
    about = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    # Filled on stage changes only: the ladder move and the states around it.
    move = models.CharField(_("move"), max_length=20, blank=True)
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Case.Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Case.Stage.choices, blank=True)
    from_status = models.CharField(_("from status"), max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Case.Status.choices, blank=True)
    ground = models.CharField(_("ground"), max_length=20, blank=True)
    # SHA-256 of the files this entry carries (an uploaded file, a sent letter's PDF), comma-separated.
    fingerprints = models.CharField(_("fingerprints"), max_length=1400, blank=True)
    shared = models.BooleanField(
        _("shared"),
        default=True,
        help_text=_("Seen by Settle staff, a mediator and in the case file. Private notes are not."),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    # Random, part of the content hash: a private note's fingerprint gives nothing away about its text.
    salt = models.CharField(_("salt"), max_length=32)
    content_sha256 = models.CharField(_("content sha256"), max_length=64)
    previous_sha256 = models.CharField(_("previous sha256"), max_length=64)
    entry_sha256 = models.CharField(_("entry sha256"), max_length=64)

    class Meta:
        ordering = ["happened_at", "id"]
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["case", "happened_at"]),
            models.Index(fields=["case", "kind"]),
            models.Index(fields=["-recorded_at"]),
            models.Index(fields=["case", "-recorded_at"], name="entry_case_recorded"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="entry_corrected_once"
            ),
            models.UniqueConstraint(
                fields=["about"], condition=Q(kind="no_answer_needed"), name="entry_no_answer_needed_once"
            ),
            # One entry per position: two writers can never both append entry n.
            models.UniqueConstraint(fields=["case", "sequence"], name="entry_one_per_position"),
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
    def label(self) -> str:
        """What the entry is, in a list's words: a ladder move says which ("Case closed: resolved")."""
        if self.kind != self.Kind.STAGE_CHANGE:
            return self.get_kind_display()
        if self.move == "opened":
            return "Case opened"
        if self.to_status and self.to_status != Case.Status.OPEN:
            return f"Case closed: {Case.Status(self.to_status).label.lower()}"
        if self.move == ladder.REOPEN:
            return "Case reopened"
        return f"Moved to {self.get_to_stage_display().lower()}"

    @property
    def recorded_later(self) -> bool:
        """Whether it was written down noticeably after it happened."""
        return abs((self.recorded_at - self.happened_at).total_seconds()) > 60

    @property
    def is_stage_change(self) -> bool:
        return self.kind == self.Kind.STAGE_CHANGE

    @property
    def move_label(self) -> str:
        return gettext(ladder.MOVE_LABELS.get(self.move, "")) if self.move in ladder.MOVE_LABELS else ""

    @property
    def ground_label(self) -> str:
        return gettext(ladder.FAST_TRACK_GROUNDS[self.ground]) if self.ground in ladder.FAST_TRACK_GROUNDS else ""
