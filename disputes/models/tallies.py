"""Running totals of each user's open cases, so the dashboard never scans every case.

One row per (owner, stage, currency): how many open cases and the sum of
their amounts in dispute, in hundredths. The database keeps it, with
triggers on the case table (`disputes.tallies`), in the same transaction
as any insert, update or delete of a case, whatever code or SQL made it.
Nothing in Python writes it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models


class CaseTally(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+")
    stage = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    cases = models.IntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "stage", "currency"], name="case_tally_once")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.stage} {self.currency}: {self.cases}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100


class OpenedTally(models.Model):
    """Cases opened per (owner, UTC month, kind, currency), with the money disputed and recovered
    on them in hundredths: the reports page reads these instead of the cases. Kept by the database
    like `CaseTally` (disputes.tallies); the months are UTC ones, and the report moves the few cases
    between a UTC month's start and the user's own (selectors_reports)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+")
    month = models.DateField()
    kind = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    cases = models.IntegerField(default=0)
    disputed_cents = models.BigIntegerField(default=0)
    recovered_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "month", "kind", "currency"], name="opened_tally_once")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month:%Y-%m} {self.kind} {self.currency}: {self.cases}"


class ClosedTally(models.Model):
    """Cases closed per (owner, UTC month, rung, status, outcome, root cause), kept like `OpenedTally`."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+")
    month = models.DateField()
    stage = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20)
    root_cause_kind = models.CharField(max_length=30)
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "month", "stage", "status", "outcome", "root_cause_kind"], name="closed_tally_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month:%Y-%m} {self.stage} {self.status}: {self.cases}"
