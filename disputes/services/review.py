"""The staff review queue: entering and leaving it, and what staff do there.

Staff read the freelancer's record and never change it. What they write is a
review action (always kept, with who and when); notes marked visible and
decisions also go on the case's timeline and are e-mailed to the freelancer.

A case is in the queue exactly while it is open on an escalated rung
(platform support, mediation, legal): `review_follow_case` opens a review
when it gets there and closes it when the case closes or steps back below,
so the queue only ever lists cases staff can open.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import on_the_record, user_language
from disputes.models import Case, Review, ReviewAction, TimelineEntry
from disputes.rules import ladder
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append


def review_follow_case(*, case: Case, now: datetime.datetime) -> None:
    """Open or close the case's review after a ladder move (called by `case_move`)."""
    if ladder.in_review(case.ladder_state):
        if not Review.objects.filter(case=case, state=Review.State.OPEN).exists():
            try:
                with transaction.atomic():
                    Review.objects.create(case=case, entered_at=now)
            except IntegrityError:
                pass  # Opened at the same moment by another move: one open review is enough.
    else:
        # Closed, or back below platform support: staff can no longer open it, so it leaves the queue.
        Review.objects.filter(case=case, state=Review.State.OPEN).update(state=Review.State.CLOSED, closed_at=now)


def _require_staff(user: User) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("Only staff review cases.")


def _open_review(review: Review) -> Review:
    locked = Review.objects.select_for_update().select_related("case__owner").get(pk=review.pk)
    if locked.state != Review.State.OPEN:
        raise ValidationError(_("This review is closed."))
    return locked


def _mark_reviewed(review: Review, now: datetime.datetime) -> None:
    Review.objects.filter(pk=review.pk, first_reviewed_at__isnull=True).update(first_reviewed_at=now)


def review_assign(*, review: Review, actor: User, assignee: User) -> ReviewAction:
    _require_staff(actor)
    if not (assignee.is_active and assignee.is_staff):
        raise ValidationError({"assignee": _("Reviews are assigned to staff members only.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _open_review(review)
        Review.objects.filter(pk=locked.pk).update(assigned_to=assignee)
        return ReviewAction.objects.create(
            review=locked, actor=actor, kind=ReviewAction.Kind.ASSIGNED, at=now, assignee=assignee
        )


def review_note(*, review: Review, actor: User, body: str, visible: bool) -> ReviewAction:
    """A note on the review; if visible, also on the freelancer's timeline and in their inbox."""
    _require_staff(actor)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _open_review(review)
        entry = None
        if visible:
            entry = entry_append(case=locked.case, author=actor, kind=TimelineEntry.Kind.STAFF_NOTE, body=body, now=now)
        action = ReviewAction.objects.create(
            review=locked,
            actor=actor,
            kind=ReviewAction.Kind.NOTE,
            at=now,
            visible_to_freelancer=visible,
            body=body,
            entry=entry,
        )
        _mark_reviewed(locked, now)
        if visible:
            _tell_freelancer(action, "A note from Settle staff on your case")
    return action


def review_decide(
    *, review: Review, actor: User, recommendation: str, reasons: str, amount: Decimal | None = None
) -> ReviewAction:
    """Post the staff's recommendation, with reasons, to the freelancer."""
    _require_staff(actor)
    reasons = reasons.strip()
    errors = {}
    if recommendation not in ReviewAction.Recommendation.values:
        errors["recommendation"] = _("Pick a recommendation.")
    if not reasons:
        errors["reasons"] = _("Give the reasons for the decision.")
    if recommendation == ReviewAction.Recommendation.PARTIAL_PAYMENT:
        if amount is None or amount <= 0:
            errors["amount"] = _("A partial payment needs its amount.")
    elif amount is not None:
        errors["amount"] = _("Only a partial payment has an amount.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = _open_review(review)
        with on_the_record(locked.case.owner):
            label = str(ReviewAction.Recommendation(recommendation).label)
            if amount is not None:
                label = f"{label}: {format_money(amount, locked.case.currency)}"
        entry = entry_append(
            case=locked.case,
            author=actor,
            kind=TimelineEntry.Kind.STAFF_DECISION,
            body=f"{label}\n\n{reasons}",
            now=now,
        )
        action = ReviewAction.objects.create(
            review=locked,
            actor=actor,
            kind=ReviewAction.Kind.DECISION,
            at=now,
            visible_to_freelancer=True,
            body=reasons,
            recommendation=recommendation,
            amount=amount,
            entry=entry,
        )
        _mark_reviewed(locked, now)
        _tell_freelancer(action, "Settle staff posted a decision on your case")
    return action


def review_close(*, review: Review, actor: User, reason: str = "") -> ReviewAction:
    _require_staff(actor)
    now = timezone.now()
    with transaction.atomic():
        locked = _open_review(review)
        Review.objects.filter(pk=locked.pk).update(state=Review.State.CLOSED, closed_at=now, closed_by=actor)
        return ReviewAction.objects.create(
            review=locked, actor=actor, kind=ReviewAction.Kind.CLOSED, at=now, body=reason.strip()
        )


def reviews_awaiting_first_review(*, now: datetime.datetime):
    """Reviews in the queue no staff member has acted on for longer than the allowed wait."""
    limit = now - datetime.timedelta(hours=settings.REVIEW_FIRST_RESPONSE_HOURS)
    return Review.objects.in_queue().filter(first_reviewed_at__isnull=True, entered_at__lte=limit)


def staff_digest_queue(*, now: datetime.datetime | None = None) -> int:
    """Queue today's digest for every staff member, if any case waits too long. Once a day."""
    now = now or timezone.now()
    late = list(reviews_awaiting_first_review(now=now).select_related("case__client", "case__owner"))
    if not late:
        return 0
    day = now.date().isoformat()
    queued = 0
    for staff in User.objects.filter(is_staff=True, is_active=True).order_by("pk"):
        notification = notification_queue(
            key=f"staff-digest:{day}:{staff.pk}",
            user=staff,
            template="disputes/email/staff_digest",
            context={"user": staff, "reviews": late, "now": now, "site_url": settings.SITE_URL},
            subject=_digest_subject(len(late), user_language(staff)),
            now=now,
        )
        queued += notification is not None
    return queued


def _tell_freelancer(action: ReviewAction, subject: str) -> None:
    case = action.review.case
    notification_queue(
        key=f"review-action:{action.pk}",
        user=case.owner,
        template="disputes/email/review_action",
        context={"action": action, "case": case, "url": f"{settings.SITE_URL}{case.get_absolute_url()}"},
        subject=subject,
        now=action.at,
        send_after_commit=True,
    )


def _digest_subject(count: int, language: str) -> str:
    with translation.override(language):
        return ngettext(
            "Settle: %(count)s escalated case waiting for a first review",
            "Settle: %(count)s escalated cases waiting for a first review",
            count,
        ) % {"count": count}
