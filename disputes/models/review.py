"""Staff review of escalated cases, and mediators invited to one case."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from disputes.models.cases import Case, TimelineEntry
from disputes.models.common import currency_validator, money_validator


class ReviewQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state=Review.State.OPEN)

    def in_queue(self):
        """Open reviews of cases staff can open: open, on an escalated rung. The queue, its count and the digest."""
        return self.waiting().filter(case__stage__in=Case.ESCALATED, case__status=Case.Status.OPEN)


class Review(models.Model):
    """A case's stay in the staff review queue.

    Opened (by `case_move`) when the case reaches platform support, mediation
    or legal; closed by staff, or when the case is resolved or walked away.
    At most one open review per case (a database constraint).
    """

    class State(models.TextChoices):
        OPEN = "open", "In the queue"
        CLOSED = "closed", "Closed"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    entered_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_reviews"
    )
    first_reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(state="open"), name="review_one_open_per_case"),
        ]
        indexes = [
            models.Index(fields=["entered_at"], condition=Q(state="open"), name="review_open_entered"),
            models.Index(fields=["assigned_to", "state"], name="review_assignee_state"),
        ]

    def __str__(self) -> str:
        return f"Review of case {self.case_id} ({self.state})"


class ReviewAction(models.Model):
    """Something a staff member did on a review: who, when, what. Never changed."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Review note"
        DECISION = "decision", "Decision"
        CLOSED = "closed", "Review closed"

    class Recommendation(models.TextChoices):
        PAY_IN_FULL = "pay_in_full", "Pay in full"
        PARTIAL_PAYMENT = "partial_payment", "Partial payment"
        REWORK = "rework", "Rework"
        REFUND = "refund", "Refund"
        MEDIATION = "mediation", "Refer to mediation"
        LEGAL = "legal", "Refer to legal"
        NO_ACTION = "no_action", "No action"

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    visible_to_freelancer = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, validators=[money_validator])
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="review_action"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


class MediatorInvitation(models.Model):
    """A single-use link for a mediator. Only the SHA-256 of its token is stored."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mediator_invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to case {self.case_id}"


class MediatorAccessQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class MediatorAccess(models.Model):
    """A mediator's access to one case, until the freelancer revokes it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mediator_accesses")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediations")
    invitation = models.OneToOneField(MediatorInvitation, on_delete=models.PROTECT, related_name="access")
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = MediatorAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "mediator"], condition=Q(revoked_at__isnull=True), name="mediator_access_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Mediator {self.mediator_id} on case {self.case_id}"


class SettlementProposal(models.Model):
    """A settlement a mediator proposes; the freelancer accepts or rejects it once."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the freelancer's answer"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="settlement_proposals")
    # The case's owner (who answers), kept here so that the deadline board reads a user's waiting
    # proposals by their own index.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[money_validator])
    currency = models.CharField(max_length=3, validators=[currency_validator])
    terms = models.TextField()
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(TimelineEntry, on_delete=models.PROTECT, related_name="proposal")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The deadline board and the navigation count: a user's proposals still waiting for an
            # answer, by their deadline.
            models.Index(fields=["owner", "deadline"], condition=Q(status="proposed"), name="proposal_owner_waiting"),
        ]

    def __str__(self) -> str:
        return f"Settlement of {self.amount} {self.currency} on case {self.case_id}"
