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
