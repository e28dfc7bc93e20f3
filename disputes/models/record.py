"""What makes the record prove itself: seals, case-file exports, trusted timestamps and field history.

All four are written once and never changed (database triggers, `db_guard`).
"""

from django.conf import settings
from django.db import models

from disputes.models.cases import Case, TimelineEntry


class Seal(models.Model):
    """A case's chain head, signed by the installation when the case reached an escalated rung.

    `statement` is the exact text that was signed (canonical JSON naming the
    case, the sealed position and head, the time and the key); the seal's own
    timeline entry repeats it in words, so the seal is on the chain too.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="seals")
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="seal")
    sequence = models.PositiveIntegerField(help_text="The last entry the seal covers.")
    head = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    statement = models.TextField()
    signature = models.CharField(max_length=100, help_text="Ed25519, base64.")
    key_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["sealed_at", "id"]

    def __str__(self) -> str:
        return f"Seal of case {self.case_id} at entry {self.sequence}"


class CasefileExport(models.Model):
    """One case file handed out: who, when, and the fingerprint of its signed manifest."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exports")
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField()
    manifest_sha256 = models.CharField(max_length=64)
    key_fingerprint = models.CharField(max_length=64)
    chain_length = models.PositiveIntegerField()
    chain_head = models.CharField(max_length=64)
    files = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField(help_text="Bytes of all files listed in the manifest.")
    # An RFC 3161 token over the manifest, when a timestamp authority is configured and answered.
    timestamp_token = models.BinaryField(null=True, blank=True, editable=False)
    timestamp_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-exported_at", "-id"]
        indexes = [models.Index(fields=["case", "-exported_at"], name="casefile_export_case_time")]

    def __str__(self) -> str:
        return f"Case file of case {self.case_id} at {self.exported_at:%Y-%m-%d %H:%M}"


class SealTimestamp(models.Model):
    """An RFC 3161 token over a seal's statement, fetched from the timestamp authority after the seal."""

    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="timestamp")
    authority = models.URLField(max_length=500)
    token = models.BinaryField(editable=False)
    stamped_at = models.DateTimeField(help_text="The time the authority put in the token.")

    def __str__(self) -> str:
        return f"Timestamp of seal {self.seal_id}"


class FieldChange(models.Model):
    """One allowed edit of a record's field: old value, new value, who and when. Never changed."""

    class Subject(models.TextChoices):
        CASE = "case", "Case"
        CLIENT = "client", "Client"
        PROJECT = "project", "Project"
        MILESTONE = "milestone", "Milestone"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=50)
    label = models.CharField(max_length=100)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["subject", "subject_id", "-changed_at"], name="field_change_subject")]

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_id}: {self.field} changed"

    @classmethod
    def subject_of(cls, record: models.Model) -> str:
        """The subject a case, client, project or milestone is filed under (its model name)."""
        return cls.Subject(record._meta.model_name).value
