"""Offers to settle a case, made by either side, and the client's answer through an e-mailed link."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from disputes.models.cases import Case, TimelineEntry
from disputes.models.common import currency_validator, money_validator
from disputes.models.outbox import Notification


class Offer(models.Model):
    """One offer: an amount, its terms and when it lapses. Answered once, or it expires.

    The freelancer records offers of either side. Their own can be e-mailed to the client with a
    single-use link (only the SHA-256 of its token is stored); the client's answer through it keeps
    the moment, the address it came from and the exact terms the page showed.
    """

    class Side(models.TextChoices):
        FREELANCER = "freelancer", "You"
        CLIENT = "client", "The client"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COUNTERED = "countered", "Answered with a counter-offer"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offers")
    # The case's owner, kept here so the sweep and the owner's lists read by their own index.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(max_length=3, validators=[currency_validator])
    terms = models.TextField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    counter_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="counters")
    created_at = models.DateTimeField()
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="offer")
    # The e-mailed link, if any.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    emailed_to = models.EmailField(blank=True)
    notification = models.OneToOneField(
        Notification, on_delete=models.PROTECT, null=True, blank=True, related_name="offer"
    )
    # The answer.
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via_link = models.BooleanField(default=False)
    answered_ip = models.GenericIPAddressField(null=True, blank=True)
    answered_terms = models.TextField(blank=True, help_text="The terms exactly as the answer page showed them.")
    answer_entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="offer_answer"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: open offers by the time they lapse.
            models.Index(fields=["expires_at"], condition=Q(status="open"), name="offer_open_expiry"),
            models.Index(fields=["case", "created_at"], name="offer_case_created"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="offer_amount_positive")]

    def __str__(self) -> str:
        return f"Offer of {self.amount} {self.currency} on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
