"""Offers to settle a case, made by either side, and the client's answer through an e-mailed link."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        FREELANCER = "freelancer", _("You")
        CLIENT = "client", _("The client")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COUNTERED = "countered", _("Answered with a counter-offer")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offers")
    # The case's owner, kept here so the sweep and the owner's lists read by their own index.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    terms = models.TextField(_("terms"))
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    counter_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="counters")
    created_at = models.DateTimeField(_("created at"))
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="offer")
    # The e-mailed link, if any.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, null=True, blank=True)
    emailed_to = models.EmailField(_("emailed to"), blank=True)
    notification = models.OneToOneField(
        Notification, on_delete=models.PROTECT, null=True, blank=True, related_name="offer"
    )
    # The answer.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_via_link = models.BooleanField(_("answered via link"), default=False)
    answered_ip = models.GenericIPAddressField(_("answered ip"), null=True, blank=True)
    answered_terms = models.TextField(
        _("answered terms"), blank=True, help_text=_("The terms exactly as the answer page showed them.")
    )
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
