"""Formal letters: drafted from the case's facts, then frozen as a fingerprinted PDF."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case, TimelineEntry
from disputes.models.common import Channel, currency_validator, money_validator
from disputes.models.parties import ScopeAgreement


def letter_upload_to(instance, filename: str) -> str:
    return f"letters/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class Letter(models.Model):
    """A payment demand or a final notice. A final letter is never changed:
    a new letter supersedes it (`supersedes`)."""

    class Kind(models.TextChoices):
        DEMAND = "demand", _("Payment demand")
        FINAL_NOTICE = "final_notice", _("Final notice before legal action")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")
        DISCARDED = "discarded", _("Discarded draft")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    # The case's owner, kept on the letter so that a user's open letters are read by their own
    # index (the deadline board and the navigation count), not by walking every case.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    agreement = models.ForeignKey(
        ScopeAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Plain text; paragraphs are separated by an empty line."))
    amount_owed = models.DecimalField(_("amount owed"), max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    # The language the letter is written in (the client's, when Settle has it), fixed at the draft:
    # its headings, dates and amounts read the same in the preview, the PDF and any copy later.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    payment_instructions = models.TextField(_("payment instructions"))
    channel = models.CharField(_("sent through"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    legal_action_date = models.DateField(_("legal action date"), null=True, blank=True)
    # The final letter this one replaces once it is finalised. At most one live
    # (draft or final) letter supersedes another; discarded drafts do not count.
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseding")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Delivery(models.TextChoices):
        SETTLE = "settle", _("Sent by Settle by e-mail")
        RECORDED = "recorded", _("Sent by you, recorded here")

    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.RECORDED)
    # When the mail server accepted a letter Settle sent; the deadline runs from then.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set once: at finalising for a letter the freelancer sent, when the server accepts it for one Settle sends.
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    pdf = models.FileField(_("pdf"), upload_to=letter_upload_to, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="letter")
    # Tracking: paid in full, superseded, or flagged once when the deadline passed.
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    deadline_flagged_at = models.DateTimeField(_("deadline flagged at"), null=True, blank=True)

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
