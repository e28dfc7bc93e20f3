"""Records of checks: a case file verified on the page, an evidence file re-hashed."""

from django.conf import settings
from django.db import models

from disputes.models.evidence import Evidence


class CasefileCheck(models.Model):
    """One case file checked on the "Verify a case file" page: who, when, what, and the verdict."""

    class Verdict(models.TextChoices):
        OK = "ok", "Verified"
        DOES_NOT_VERIFY = "does_not_verify", "Does not verify"
        UNSIGNED = "unsigned", "Files match, but not signed"
        REFUSED = "refused", "Refused (over a limit or not a case file)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    verdict = models.CharField(max_length=20, choices=Verdict.choices)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["user", "-checked_at"], name="casefile_check_user_time")]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.verdict}"


class EvidenceCheck(models.Model):
    """A stored evidence file re-hashed against the fingerprint taken at upload. Never changed.

    Pages show each file's latest check instead of re-reading every file on
    every view; the schedule and staff ("check now") add new ones.
    """

    class Result(models.TextChoices):
        INTACT = "intact", "Fingerprint matches"
        CHANGED = "changed", "Changed since upload"
        MISSING = "missing", "File missing"

    class Trigger(models.TextChoices):
        UPLOAD = "upload", "At upload"
        SCHEDULE = "schedule", "Scheduled check"
        ON_DEMAND = "on_demand", "Asked for by staff"

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField()
    result = models.CharField(max_length=10, choices=Result.choices)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["evidence", "-checked_at"], name="evidence_check_latest")]

    def __str__(self) -> str:
        return f"{self.evidence_id}: {self.result} at {self.checked_at:%Y-%m-%d %H:%M}"
