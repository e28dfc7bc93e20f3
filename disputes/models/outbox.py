"""Outgoing e-mail as database rows, so each is sent at most once and none is lost silently.

`services.outbox` claims a row (pending/failed → sending) with a conditional
UPDATE and a lease before talking to the mail server, marks the moment the
message is handed over, then records the outcome:

- sent      the server accepted it;
- failed    it was not handed over, or the server refused it: tried again
            after a back-off, at most REMINDER_MAX_ATTEMPTS times;
- unknown   it was handed over but no answer came back (a timeout, a dropped
            connection, a worker killed while waiting): it may have arrived,
            so it is never sent again on its own; staff see it on the outbox
            page and decide.

A claim whose lease runs out (the worker died) is taken back by the sweep:
failed (safe to retry) if nothing was handed over yet, unknown if it was.
Every row carries its own Message-ID, the same on every try, so receivers
and staff can spot a duplicate.
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
        UNKNOWN = "unknown", "Fate unknown"
        CANCELLED = "cancelled", "Cancelled"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Until when the current claim holds; after that the sweep takes the row back.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the message's last byte went to the server on the current try.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField("Message-ID", max_length=250, blank=True)
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
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="notification_leased"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to_email} ({self.status})"
