"""Outgoing e-mail as database rows, so each is sent at most once.

`services.outbox` claims a row (pending/failed → sending) with a conditional
UPDATE before talking to the mail server, then records sent or failed. If the
process dies mid-send, the row stays "sending" and is never sent again on its
own; staff see it in the admin and can retry it, knowing the recipient may
then get it twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutboxRow(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class Notification(OutboxRow):
    """One e-mail about one thing (`key` says what, and is unique): a staff
    decision, a daily digest, a mediator invitation. Its text is rendered when
    the row is written, so a retry sends exactly what was meant."""

    key = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="notification_to_send",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to_email} ({self.status})"
