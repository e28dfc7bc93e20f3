"""Formal letters: drafted from the case's facts, then frozen as a fingerprinted PDF."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from disputes.models.cases import Case, TimelineEntry
from disputes.models.common import Channel, currency_validator, money_validator
from disputes.models.parties import ScopeAgreement


def letter_upload_to(instance, filename: str) -> str:
    return f"letters/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class Letter(models.Model):
    """A payment demand or a final notice. A final letter is never changed:
    a new letter supersedes it (`supersedes`)."""

    class Kind(models.TextChoices):
        DEMAND = "demand", "Payment demand"
        FINAL_NOTICE = "final_notice", "Final notice before legal action"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"
        DISCARDED = "discarded", "Discarded draft"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    # The case's owner, kept on the letter so that a user's open letters are read by their own
    # index (the deadline board and the navigation count), not by walking every case.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    agreement = models.ForeignKey(
        ScopeAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text; paragraphs are separated by an empty line.")
    amount_owed = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(max_length=3, validators=[currency_validator])
    payment_instructions = models.TextField()
    channel = models.CharField("sent through", max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    legal_action_date = models.DateField(null=True, blank=True)
    # The final letter this one replaces once it is finalised. At most one live
    # (draft or final) letter supersedes another; discarded drafts do not count.
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseding")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Delivery(models.TextChoices):
        SETTLE = "settle", "Sent by Settle by e-mail"
        RECORDED = "recorded", "Sent by you, recorded here"

    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.RECORDED)
    # When the mail server accepted a letter Settle sent; the deadline runs from then.
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set once: at finalising for a letter the freelancer sent, when the server accepts it for one Settle sends.
    sent_on = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=letter_upload_to, max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="letter")
    # Tracking: paid in full, superseded, or flagged once when the deadline passed.
    paid_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    deadline_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=Q(supersedes__isnull=False) & ~Q(status="discarded"),
                name="letter_superseded_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline_at"],
                condition=Q(
                    status="final",
                    paid_at__isnull=True,
                    superseded_at__isnull=True,
                    deadline_flagged_at__isnull=True,
                ),
                name="letter_deadline_tracked",
            ),
            # The deadline board and the navigation count: a user's final letters still waiting for
            # payment, passed or not, by deadline.
            models.Index(
                fields=["owner", "deadline_at"],
                condition=Q(status="final", paid_at__isnull=True, superseded_at__isnull=True),
                name="letter_owner_deadline_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def superseded_by(self):
        """The final letter that replaced this one, if any."""
        return self.superseding.filter(status=self.Status.FINAL).first()

    @property
    def tracking(self) -> str:
        """Where the letter stands: draft, paid, superseded, deadline_passed or waiting."""
        if not self.is_final:
            return self.status
        if self.paid_at:
            return "paid"
        if self.superseded_at:
            return "superseded"
        return "deadline_passed" if self.deadline_flagged_at else "waiting"
