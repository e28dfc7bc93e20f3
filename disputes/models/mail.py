"""Mail with the client: what Settle sends from a case, and what comes back or is imported.

`ClientMail` is an outbox row (see `models.outbox`): written when the
freelancer sends, scheduled or held, claimed and handed to the mail server
by the outbox, and put on the timeline only once the server has accepted it
(`entry`), with the exact bytes sent kept as evidence. Until then it is not
part of the record: the case page lists it as queued, scheduled or held.

`ReceivedMessage` is one message that reached a case from outside, by
`mail_in`, the IMAP poll or an import. Its `key` (the Message-ID, or a
fingerprint for a message without one) is unique per case, so the same
message filed twice is filed once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case, TimelineEntry
from disputes.models.evidence import Evidence
from disputes.models.letters import Letter
from disputes.models.outbox import OutboxRow


def raw_mail_upload_to(instance, filename: str) -> str:
    return f"mail/{instance.case_id}/{uuid.uuid4().hex}.eml"


class ClientMail(OutboxRow):
    class Purpose(models.TextChoices):
        MESSAGE = "message", _("Message")
        REMINDER = "reminder", _("Payment reminder")
        LETTER = "letter", _("Formal letter")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mails")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.MESSAGE)
    # For a reminder from the kit: friendly, firm or last.
    template = models.CharField(_("template"), max_length=10, blank=True)
    to_email = models.EmailField(_("to email"))
    reply_to = models.EmailField(_("reply to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    attachments = models.ManyToManyField(Evidence, blank=True, related_name="+")
    # What was attached on the latest try, as sent: [{"name", "size", "sha256"}] (a letter's PDF included).
    attached = models.JSONField(_("attached"), default=list, blank=True)
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="mail")
    # When it may go: the chosen time (scheduled), or the end of a cooling-off hold.
    send_after = models.DateTimeField(_("send after"))
    held = models.BooleanField(_("held"), default=False, help_text=_("Held to cool off after a heated message."))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The exact bytes handed to the server on the latest try, and their SHA-256.
    raw = models.FileField(_("raw"), upload_to=raw_mail_upload_to, max_length=200, blank=True)
    raw_sha256 = models.CharField(_("raw sha256"), max_length=64, blank=True)
    # Written once the server accepted it.
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="mail")
    # A bounce or delivery failure that came back later.
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.TextField(_("bounce reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="clientmail_to_send",
            ),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="clientmail_leased"),
            models.Index(
                fields=["sent_at"], condition=Q(status="sent", entry__isnull=True), name="clientmail_unrecorded"
            ),
            models.Index(fields=["case", "-created_at"]),
            models.Index(fields=["message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.status})"

    @property
    def scheduled(self) -> bool:
        """Written to go later than when it was written (a chosen time or a cooling-off hold)."""
        return self.send_after > self.created_at

    @property
    def waiting(self) -> bool:
        """Not sent yet and not cancelled: it still shows on the case as queued, scheduled or held."""
        return self.status in (self.Status.PENDING, self.Status.FAILED, self.Status.SENDING) and not self.cancelled_at


class ReceivedMessage(models.Model):
    class Source(models.TextChoices):
        MAIL_IN = "mail_in", _("Delivered to Settle")
        IMAP = "imap", _("Fetched from the mailbox")
        IMPORT_EMAIL = "import_email", _("Imported e-mail")
        IMPORT_CHAT = "import_chat", _("Imported chat")

    class Status(models.TextChoices):
        FILED = "filed", _("On the timeline")
        HELD = "held", _("Held: not from the client's address")
        REJECTED = "rejected", _("Rejected")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Delivery report")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="received")
    key = models.CharField(_("key"), max_length=300)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    message_id = models.CharField(_("message id"), max_length=300, blank=True)
    sender = models.CharField(_("sender"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The time the message gives itself (Date header, chat line), and when Settle got it.
    dated_at = models.DateTimeField(_("dated at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    raw_sha256 = models.CharField(_("raw sha256"), max_length=64, blank=True)
    # A held mail's bytes wait here until the freelancer decides; filed ones are evidence.
    raw = models.FileField(_("raw"), upload_to=raw_mail_upload_to, max_length=200, blank=True)
    entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="received"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="received_once_per_case")]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"{self.subject or self.key} ({self.status})"
