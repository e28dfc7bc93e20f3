"""Evidence files attached to a case, kept with their SHA-256 fingerprint."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case, TimelineEntry


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The server chooses the name; the user's file name is kept only as data.
    return f"evidence/{instance.case_id}/{uuid.uuid4().hex}{instance.extension}"


def thumbnail_upload_to(instance: Evidence, filename: str) -> str:
    return f"thumbnails/{instance.case_id}/{uuid.uuid4().hex}.jpg"


def copy_upload_to(instance: EvidenceCopy, filename: str) -> str:
    return f"shared/{instance.evidence.case_id}/{uuid.uuid4().hex}{instance.evidence.extension}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        SCREENSHOT = "screenshot", _("Conversation screenshot")
        CONTRACT = "contract", _("Contract or estimate")
        INVOICE = "invoice", _("Invoice")
        DELIVERABLE = "deliverable", _("Deliverable")
        PHOTO = "photo", _("Photo (before / after)")
        EMAIL = "email", _("E-mail (the message as sent or received)")
        CHAT = "chat", _("Chat export")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    captured_on = models.DateField(_("date captured"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=thumbnail_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["case", "-uploaded_at"])]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def is_image(self) -> bool:
        return bool(self.thumbnail)

    @property
    def checklist_item(self) -> str:
        """The checklist item this file is tagged with, or "" (load with select_related("checklist_tag"))."""
        try:
            return self.checklist_tag.item
        except EvidenceTag.DoesNotExist:
            return ""


class EvidenceTag(models.Model):
    """Which item of its case's evidence checklist (rules.checklist) a file stands for. Kept beside
    the file, not on it: evidence rows are never changed, a tag may be."""

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, primary_key=True, related_name="checklist_tag")
    item = models.CharField(_("item"), max_length=30)
    tagged_at = models.DateTimeField(_("tagged at"))

    def __str__(self) -> str:
        return self.item


class EvidenceCopy(models.Model):
    """The copy of an evidence image that others see: the same picture without its metadata.

    Staff, mediators and the case file get this copy (no EXIF, GPS position,
    XMP or comments); the original stays the freelancer's, with its own
    fingerprint. Both fingerprints are kept. Never changed.
    """

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="shared_copy")
    file = models.FileField(_("file"), upload_to=copy_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    removed = models.CharField(
        _("removed"), max_length=200, blank=True, help_text=_("What was taken out of the original.")
    )
    made_at = models.DateTimeField(_("made at"))

    def __str__(self) -> str:
        return f"Shared copy of evidence {self.evidence_id}"
