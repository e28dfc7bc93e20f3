"""The response clock's storage: concerns, and the reminder outbox."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from disputes.models.cases import Case, TimelineEntry
from disputes.models.outbox import OutboxRow


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
            # Reports: a user's concerns by the time they arrived.
            models.Index(fields=["owner", "received_at"], name="concern_owner_received"),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} on case {self.case_id}"


class ReminderEmail(OutboxRow):
    """One e-mail to one user for one sweep, listing the concerns it flagged
    (an outbox row: see `disputes.models.outbox`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_emails")
    sweep = models.UUIDField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "sweep"], name="reminder_email_once_per_sweep")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="reminder_email_to_send",
            ),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="reminder_email_leased"),
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
