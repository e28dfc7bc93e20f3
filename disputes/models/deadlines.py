"""Outside deadlines: a platform's or a body's ticket on a case, the dates it gives, a small
catalogue of common ones, and each user's private calendar feed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case


class Ticket(models.Model):
    """A case's file with a platform or an outside body: its support ticket, a card network's
    chargeback, a mediation service's reference, a court's case number."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tickets")
    body = models.CharField(_("platform or body"), max_length=120)
    reference = models.CharField(_("ticket or reference number"), max_length=120, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.body} {self.reference}".strip()


class Deadline(models.Model):
    """A date someone outside Settle set: what is due, by when, from whom.

    The sweep warns 48 and 24 hours before `due_at` and flags it once when it passes; each
    `*_at` column is set once by a conditional UPDATE (services.deadlines.deadlines_warn).
    Moving the deadline clears them, so the new date is warned about in its turn."""

    class OwedBy(models.TextChoices):
        ME = "me", _("You")
        CLIENT = "client", _("The client")
        BODY = "body", _("The platform or body")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines")
    title = models.CharField(_("what is due"), max_length=200)
    owed_by = models.CharField(_("who owes it"), max_length=10, choices=OwedBy.choices, default=OwedBy.ME)
    due_at = models.DateTimeField(_("due by"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    warned_48_at = models.DateTimeField(_("warned 48 at"), null=True, blank=True)
    warned_24_at = models.DateTimeField(_("warned 24 at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    # Bumped on every change; the calendar feed's SEQUENCE, so calendars take the new time.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The board and the feed: a user's open deadlines, soonest first.
            models.Index(fields=["owner", "due_at"], condition=Q(met_at__isnull=True), name="deadline_owner_open"),
            # The sweep: open deadlines not yet flagged as missed, by due time.
            models.Index(
                fields=["due_at"], condition=Q(met_at__isnull=True, missed_at__isnull=True), name="deadline_sweep"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DeadlineTemplate(models.Model):
    """A common deadline to pick instead of typing it: "answer the dispute within N days".
    Rows without an owner are the catalogue every user sees; users add their own."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("what is due"), max_length=200)
    days = models.PositiveSmallIntegerField(_("days from the notice"))
    owed_by = models.CharField(_("who owes it"), max_length=10, choices=Deadline.OwedBy.choices, default="me")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["days", "title", "id"]
        indexes = [models.Index(fields=["owner", "days"], name="deadline_template_owner")]

    def __str__(self) -> str:
        return f"{self.title} ({self.days} days)"


class CalendarFeed(models.Model):
    """A user's private calendar address. Only the SHA-256 of its secret is kept: the address is
    shown once, when it is made; a new one replaces it, and revoking deletes it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_sha256 = models.CharField(_("token sha256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
