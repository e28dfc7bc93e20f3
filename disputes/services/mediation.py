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
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import on_the_record, record_date
from disputes.models import Case, MediatorAccess, MediatorInvitation, SettlementProposal, TimelineEntry
from disputes.rules import dates, ladder
from disputes.services.common import ensure_owner
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append


class InvitationInvalid(Exception):
    """The link is unknown, used, expired or revoked (shown as "not found")."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mediator_invite(*, case: Case, owner: User, email: str) -> tuple[MediatorInvitation, str]:
    """Invite a mediator by e-mail; return the invitation and the one-time token.

    The rung is read from the stored row (locked), not from `case`: a page
    opened before the case moved on must not invite anyone.
    """
    ensure_owner(case, owner)
    email = email.strip().lower()
    if email == owner.email.lower():
        raise ValidationError({"email": _("Invite someone else: the mediator is a neutral third party.")})
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        stored = Case.objects.select_for_update().only("stage", "status").get(pk=case.pk)
        if stored.stage != ladder.MEDIATION or stored.status != Case.Status.OPEN:
            raise ValidationError(_("Mediators are invited to an open case on the mediation rung."))
        _check_invitation_limits(case, owner, now)
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
            subject=_("You are invited to mediate a dispute on Settle"),
            now=now,
            send_after_commit=True,
        )
    return invitation, token


def _check_invitation_limits(case: Case, owner: User, now: datetime.datetime) -> None:
    """Invitations are e-mails from Settle's domain to any address: a few per case and per person a day.

    Counted with the case row locked, so two invitations sent at once cannot both slip under the limit.
    """
    since = now - datetime.timedelta(days=1)
    per_case = settings.MEDIATOR_INVITATIONS_PER_CASE_PER_DAY
    per_user = settings.MEDIATOR_INVITATIONS_PER_USER_PER_DAY
    if MediatorInvitation.objects.filter(case=case, created_at__gt=since).count() >= per_case:
        raise ValidationError(
            _(
                "This case has had %(case)s invitations in the last 24 hours, the most Settle sends. "
                "Withdraw unused ones and try again tomorrow."
            )
            % {"case": per_case}
        )
    if MediatorInvitation.objects.filter(invited_by=owner, created_at__gt=since).count() >= per_user:
        raise ValidationError(
            _(
                "You have sent %(user)s mediator invitations in the last 24 hours, the most Settle "
                "sends. Try again tomorrow."
            )
            % {"user": per_user}
        )


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
    """Use an invitation: the signed-in user gets access to that one case.

    Someone who already mediates the case (a second invitation, or two
    accepted at the same moment) keeps their one access; the invitation is
    used up all the same, so it cannot be passed on.
    """
    now = timezone.now()
    invitation = invitation_for_token(token, now=now)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address.") % {"email": invitation.email}
        )
    if user.pk == invitation.case.owner_id:
        raise ValidationError(_("You cannot mediate your own case."))
    with transaction.atomic():
        # Single use: only one request can move used_at from empty to set.
        used = MediatorInvitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, used_by=user)
        if used != 1:
            raise InvitationInvalid
        existing = MediatorAccess.objects.active().filter(case=invitation.case, mediator=user).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return MediatorAccess.objects.create(
                    case=invitation.case, mediator=user, invitation=invitation, granted_at=now
                )
        except IntegrityError:
            # Another invitation to the same case was accepted at the same moment.
            return MediatorAccess.objects.active().get(case=invitation.case, mediator=user)


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
        raise ValidationError(_("You no longer have access to this case."))


def mediator_note(*, case: Case, mediator: User, body: str) -> TimelineEntry:
    _require_access(case, mediator)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    return entry_append(case=case, author=mediator, kind=TimelineEntry.Kind.MEDIATOR_NOTE, body=body)


def settlement_propose(
    *, case: Case, mediator: User, amount: Decimal, terms: str, deadline: datetime.date
) -> SettlementProposal:
    _require_access(case, mediator)
    terms = terms.strip()
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = _("Enter the amount of the settlement.")
    if not terms:
        errors["terms"] = _("Write the terms.")
    if deadline is None or deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif not dates.in_range(deadline):
        errors["deadline"] = dates.OUT_OF_RANGE
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with on_the_record(case.owner):
        said = gettext("Proposed settlement: %(amount)s, by %(deadline)s.") % {
            "amount": format_money(amount, case.currency),
            "deadline": record_date(deadline),
        }
    with transaction.atomic():
        entry = entry_append(
            case=case,
            author=mediator,
            kind=TimelineEntry.Kind.SETTLEMENT,
            body=f"{said}\n\n{terms}",
            amount=amount,
            now=now,
        )
        proposal = SettlementProposal.objects.create(
            case=case,
            owner_id=case.owner_id,
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
            subject=_("A mediator proposed a settlement on your case"),
            now=now,
            send_after_commit=True,
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
            raise ValidationError(_("This proposal has already been answered."))
        with on_the_record(proposal.case.owner):
            values = {"amount": format_money(proposal.amount, proposal.currency)}
            if accept:
                body = gettext("Accepted the proposed settlement of %(amount)s.") % values
            else:
                body = gettext("Rejected the proposed settlement of %(amount)s.") % values
        if note.strip():
            body += f"\n\n{note.strip()}"
        entry_append(
            case=proposal.case,
            author=owner,
            kind=TimelineEntry.Kind.SETTLEMENT_ANSWER,
            body=body,
            about=proposal.entry,
            now=now,
        )
    proposal.refresh_from_db()
    return proposal
