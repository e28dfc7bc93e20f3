"""Clients, their warning signs, projects, payment milestones and versioned scope agreements."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from disputes.models.common import Channel, OwnedQuerySet, currency_validator, money_validator


class Client(models.Model):
    class Platform(models.TextChoices):
        UPWORK = "upwork", _("Upwork")
        FIVERR = "fiverr", _("Fiverr")
        FREELANCER = "freelancer", _("Freelancer.com")
        TOPTAL = "toptal", _("Toptal")
        THUMBTACK = "thumbtack", _("Thumbtack")
        DIRECT = "direct", _("Direct")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients")
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, default=Platform.DIRECT)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    # Letters and e-mails to the client are written in it; empty means the freelancer's own language.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Letters and e-mails Settle writes to this client use this language. Empty: your own."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Archived, never deleted: hidden from the lists, kept with everything it holds.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.label(self.name, self.company)

    def get_absolute_url(self) -> str:
        return reverse("disputes:client_detail", args=[self.pk])

    @staticmethod
    def label(name: str, company: str) -> str:
        """How a client is named in lists and selects: "Name (Company)"."""
        return f"{name} ({company})" if company else name


class WarningSign(models.Model):
    class Kind(models.TextChoices):
        UNPAID_TEST_WORK = "unpaid_test_work", _("Asked for unpaid test work")
        SOURCE_BEFORE_PAYMENT = "source_before_payment", _("Asked for source files before paying")
        OFF_PLATFORM = "off_platform", _("Proposed working or paying off-platform")
        UNUSUAL_PAYMENT = "unusual_payment", _("Unusual payment method")
        REFUSED_PREPAYMENT = "refused_prepayment", _("Refused any prepayment")
        ABUSIVE_LANGUAGE = "abusive_language", _("Abusive or threatening language")
        IGNORES_BOUNDARIES = "ignores_boundaries", _("Ignores boundaries or schedules")
        NEVER_SATISFIED = "never_satisfied", _("Never satisfied")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="warning_signs")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    noticed_on = models.DateField(_("noticed on"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-noticed_on", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Projects and their terms ----------------------------------------------------------
class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class WorkKind(models.TextChoices):
        # What the work is: lessons from a case come back when similar work starts, with any client.
        DESIGN = "design", _("Design and illustration")
        DEVELOPMENT = "development", _("Software and web development")
        WRITING = "writing", _("Writing and editing")
        TRANSLATION = "translation", _("Translation")
        MARKETING = "marketing", _("Marketing and social media")
        MEDIA = "media", _("Video, audio and photography")
        CONSULTING = "consulting", _("Consulting and coaching")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    work_kind = models.CharField(
        _("kind of work"),
        max_length=20,
        choices=WorkKind.choices,
        blank=True,
        help_text=_("Settle shows what you learned from past cases on the same kind of work."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_validator])
    prepayment_percent = models.PositiveSmallIntegerField(
        _("prepayment (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of each iteration paid before work on it starts."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # "Work stopped until paid": set and cleared by services.projects, recorded on the open cases' timelines.
    work_stopped_at = models.DateTimeField(_("work stopped at"), null=True, blank=True)
    work_stopped_reason = models.CharField(_("work stopped reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Archived, never deleted: hidden from the lists, kept with everything it holds.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    ARCHIVED_THROUGH = ("archived_at", "client__archived_at")

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
            raise ValidationError({"due_date": _("The due date cannot be before the start date.")})


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[money_validator])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # Set once by the sweep when the due date passed unpaid.
    overdue_flagged_at = models.DateTimeField(_("overdue flagged at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(paid_on__isnull=True, overdue_flagged_at__isnull=True),
                name="milestone_overdue_unflagged",
            ),
            # The deadline board: every unpaid payment with a due date.
            models.Index(fields=["due_date"], condition=Q(paid_on__isnull=True), name="milestone_unpaid_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class ScopeAgreement(models.Model):
    """One version of a project's written terms. Versions are never edited."""

    class Source(models.TextChoices):
        SIGNED_CONTRACT = "signed_contract", _("Signed contract")
        PLATFORM_CONTRACT = "platform_contract", _("Platform contract")
        EMAIL = "email", _("E-mail")
        VERBAL_SUMMARISED = "verbal_summarised", _("Verbal agreement, summarised in writing")

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

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveIntegerField(_("version"))
    deliverables = models.TextField(_("deliverables"))
    volume = models.TextField(_("volume"), blank=True, help_text=_("How much work: pages, screens, hours, words…"))
    deadlines = models.TextField(_("deadlines"), blank=True, help_text=_("Concrete dates, not “soon”."))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_validator])
    revision_rounds = models.PositiveSmallIntegerField(_("revision rounds"), default=2)
    cancellation_policy = models.TextField(_("cancellation policy"), blank=True)
    rescheduling_policy = models.TextField(_("rescheduling policy"), blank=True)
    dispute_resolution = models.TextField(_("dispute-resolution clause"), blank=True)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.EMAIL)
    accepted_at = models.DateTimeField(_("accepted by the client at"), null=True, blank=True)
    accepted_via = models.CharField(_("accepted through"), max_length=20, choices=Channel.choices, blank=True)
    change_note = models.CharField(_("what changed and why"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="agreement_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"
