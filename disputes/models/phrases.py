"""A freelancer's own reply starters (rules.phrasebook), copied from Settle's on their first edit."""

from django.conf import settings
from django.db import models

from disputes.rules import phrasebook


class Phrase(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phrases")
    moment = models.CharField(max_length=20, choices=list(phrasebook.MOMENTS.items()))
    text = models.TextField(max_length=phrasebook.MAX_LENGTH)
    position = models.PositiveIntegerField(default=0)
    # Removed phrases are kept hidden, so a phrasebook emptied on purpose stays empty.
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["owner", "position"], name="phrase_owner_position")]

    def __str__(self) -> str:
        return self.text[:60]
