"""Mediators: invited by the freelancer to one case at the mediation rung.

The invitation link carries a random token; only its SHA-256 is stored, so a
database leak gives no working links. A link works once, for
MEDIATOR_INVITATION_DAYS, and only for the address it was sent to. The
freelancer can revoke an invitation or a mediator's access at any time.
"""

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from disputes import ladder
from disputes.models import Case, MediatorAccess, MediatorInvitation, SettlementProposal, TimelineEntry
from disputes.services.common import ensure_owner
from disputes.services.notifications import notification_queue


class InvitationInvalid(Exception):
    """The link is unknown, used, expired or revoked (shown as "not found")."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mediator_invite(*, case: Case, owner: User, email: str) -> tuple[MediatorInvitation, str]:
    """Invite a mediator by e-mail; return the invitation and the one-time token."""
    ensure_owner(case, owner)
    if case.stage != ladder.MEDIATION or case.status != Case.Status.OPEN:
        raise ValidationError("Mediators are invited to an open case on the mediation rung.")
    email = email.strip().lower()
    if email == owner.email.lower():
        raise ValidationError({"email": "Invite someone else: the mediator is a neutral third party."})
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = MediatorInvitation.objects.create(
            case=case,
            email=email,
            token_hash=_hash(token),
            invited_by=owner,
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.MEDIATOR_INVITATION_DAYS),
        )
        notification_queue(
            key=f"mediator-invitation:{invitation.pk}",
            to_email=email,
            template="disputes/email/mediator_invitation",
            context={
                "invitation": invitation,
                "owner": owner,
                "url": f"{settings.SITE_URL}{reverse('disputes:mediation_invitation', args=[token])}",
            },
            subject="You are invited to mediate a dispute on Settle",
        )
    return invitation, token


def invitation_for_token(token: str, *, now: datetime.datetime | None = None) -> MediatorInvitation:
    """The usable invitation behind a token, or InvitationInvalid."""
    now = now or timezone.now()
    invitation = MediatorInvitation.objects.filter(token_hash=_hash(token)).select_related("case").first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise InvitationInvalid
    return invitation


def mediator_accept(*, token: str, user: User) -> MediatorAccess:
    """Use an invitation: the signed-in user gets access to that one case."""
    now = timezone.now()
    invitation = invitation_for_token(token, now=now)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation was sent to {invitation.email}. Sign in with that address.")
    if user.pk == invitation.case.owner_id:
        raise ValidationError("You cannot mediate your own case.")
    with transaction.atomic():
        # Single use: only one request can move used_at from empty to set.
        used = MediatorInvitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, used_by=user)
        if used != 1:
            raise InvitationInvalid
        return MediatorAccess.objects.create(case=invitation.case, mediator=user, invitation=invitation, granted_at=now)


def invitation_revoke(*, invitation: MediatorInvitation, owner: User) -> bool:
    ensure_owner(invitation.case, owner)
    return (
        MediatorInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        == 1
    )


def mediator_revoke(*, access: MediatorAccess, owner: User) -> bool:
    ensure_owner(access.case, owner)
    return MediatorAccess.objects.filter(pk=access.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) == 1


def _require_access(case: Case, mediator: User) -> None:
    if not MediatorAccess.objects.active().filter(case=case, mediator=mediator).exists():
        raise ValidationError("You no longer have access to this case.")


def mediator_note(*, case: Case, mediator: User, body: str) -> TimelineEntry:
    _require_access(case, mediator)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    now = timezone.now()
    return TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.MEDIATOR_NOTE, body=body, happened_at=now, recorded_at=now, author=mediator
    )


def settlement_propose(
    *, case: Case, mediator: User, amount: Decimal, terms: str, deadline: datetime.date
) -> SettlementProposal:
    _require_access(case, mediator)
    terms = terms.strip()
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = "Enter the amount of the settlement."
    if not terms:
        errors["terms"] = "Write the terms."
    if deadline is None or deadline < timezone.localdate():
        errors["deadline"] = "The deadline cannot be in the past."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            case=case,
            kind=TimelineEntry.Kind.SETTLEMENT,
            body=f"Proposed settlement: {amount:.2f} {case.currency}, by {deadline:%d %b %Y}.\n\n{terms}",
            amount=amount,
            happened_at=now,
            recorded_at=now,
            author=mediator,
        )
        proposal = SettlementProposal.objects.create(
            case=case,
            mediator=mediator,
            amount=amount,
            currency=case.currency,
            terms=terms,
            deadline=deadline,
            created_at=now,
            entry=entry,
        )
        notification_queue(
            key=f"settlement-proposal:{proposal.pk}",
            user=case.owner,
            template="disputes/email/settlement_proposal",
            context={"proposal": proposal, "case": case, "url": f"{settings.SITE_URL}{case.get_absolute_url()}"},
            subject="A mediator proposed a settlement on your case",
        )
    return proposal


def settlement_answer(*, proposal: SettlementProposal, owner: User, accept: bool, note: str = "") -> SettlementProposal:
    """Accept or reject a proposal, once; the answer goes on the timeline."""
    ensure_owner(proposal.case, owner)
    now = timezone.now()
    status = SettlementProposal.Status.ACCEPTED if accept else SettlementProposal.Status.REJECTED
    with transaction.atomic():
        changed = SettlementProposal.objects.filter(pk=proposal.pk, status=SettlementProposal.Status.PROPOSED).update(
            status=status, answered_at=now
        )
        if changed != 1:
            raise ValidationError("This proposal has already been answered.")
        verdict = "Accepted" if accept else "Rejected"
        body = f"{verdict} the proposed settlement of {proposal.amount:.2f} {proposal.currency}."
        if note.strip():
            body += f"\n\n{note.strip()}"
        TimelineEntry.objects.create(
            case=proposal.case,
            kind=TimelineEntry.Kind.SETTLEMENT_ANSWER,
            body=body,
            happened_at=now,
            recorded_at=now,
            author=owner,
            about=proposal.entry,
        )
    proposal.refresh_from_db()
    return proposal
