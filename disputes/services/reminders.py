"""The response clock's sweep step: flag due concerns, and the reminder e-mails it writes.

Exactly once, by the database:

1. Flagging. One conditional UPDATE per kind sets `overdue_flagged_at` (or
   `due_soon_flagged_at`) on open concerns whose flag is still empty, and
   stamps them with this sweep's id. Run by many processes at once, each row
   is won by exactly one sweep: on PostgreSQL the losers wait on the row lock,
   re-check `flagged_at IS NULL`, and skip it.
2. Outbox. In the same transaction the sweep writes one `Reminder` per
   concern and kind (a unique constraint backs this up) and one
   `ReminderEmail` per user who wants e-mail. Nothing is sent here: the
   sweep's outbox step (`services.sweep`) sends every due row, claiming each
   one first (see `services.outbox`).

After downtime the first sweep catches up: every concern due by then is
flagged once, overdue only (a concern already past its deadline gets no
"due soon" reminder), and each user gets one e-mail listing them all.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.models import User
from disputes.languages import user_language
from disputes.models import Concern, Reminder, ReminderEmail
from disputes.services.outbox import Outcome, new_message_id, outbox_retry, outbox_send, outbox_send_due


@dataclass(frozen=True)
class ConcernsStep:
    due_soon: int
    overdue: int
    emails_created: int


def concerns_flag(*, now: datetime.datetime, token: uuid.UUID) -> ConcernsStep:
    """Flag concerns that became due soon or overdue, and write their reminders and e-mails."""
    with transaction.atomic():
        open_concerns = Concern.objects.filter(state=Concern.State.OPEN)
        overdue = open_concerns.filter(due_at__lte=now, overdue_flagged_at__isnull=True).update(
            overdue_flagged_at=now, overdue_sweep=token
        )
        due_soon = 0
        if settings.DUE_SOON_HOURS:
            soon = now + datetime.timedelta(hours=settings.DUE_SOON_HOURS)
            due_soon = open_concerns.filter(due_at__gt=now, due_at__lte=soon, due_soon_flagged_at__isnull=True).update(
                due_soon_flagged_at=now, due_soon_sweep=token
            )
        emails_created = _write_outbox(token, now) if overdue or due_soon else 0
    return ConcernsStep(due_soon=due_soon, overdue=overdue, emails_created=emails_created)


def _write_outbox(token: uuid.UUID, now: datetime.datetime) -> int:
    """One Reminder per concern flagged by this sweep, one e-mail per user who wants one."""
    won = list(
        Concern.objects.filter(Q(overdue_sweep=token) | Q(due_soon_sweep=token)).values_list(
            "id", "owner_id", "overdue_sweep"
        )
    )
    owners = {owner_id for _, owner_id, _ in won}
    wanting = User.objects.filter(pk__in=owners, email_reminders=True, is_active=True).values_list("pk", flat=True)
    emails = ReminderEmail.objects.bulk_create(
        ReminderEmail(user_id=user_id, sweep=token, created_at=now, next_attempt_at=now, message_id=new_message_id())
        for user_id in sorted(wanting)
    )
    email_of = {email.user_id: email.pk for email in emails}
    Reminder.objects.bulk_create(
        (
            Reminder(
                concern_id=concern_id,
                kind=Reminder.Kind.OVERDUE if overdue_sweep == token else Reminder.Kind.DUE_SOON,
                email_id=email_of.get(owner_id),
                created_at=now,
            )
            for concern_id, owner_id, overdue_sweep in won
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(emails)


def reminder_emails_send_due(*, now: datetime.datetime) -> dict[Outcome, int]:
    """Send every reminder e-mail that is pending, or failed and due for another try."""
    return outbox_send_due(model=ReminderEmail, build=_build_message, now=now)


def reminder_email_send(*, email_id: int, now: datetime.datetime | None = None) -> Outcome:
    """Claim one e-mail and send it; see `services.outbox.Outcome`."""
    return outbox_send(model=ReminderEmail, pk=email_id, build=_build_message, now=now, related=("user",))


def reminder_email_retry(*, email: ReminderEmail, now: datetime.datetime | None = None) -> bool:
    """Put a failed or stuck e-mail back in the queue (staff action); see `outbox_retry`."""
    return outbox_retry(row=email, now=now)


def _reminder_subject(overdue: int, soon: int) -> str:
    if overdue and soon:
        return ngettext(
            "%(overdue)s client concern past the response window, %(soon)s due soon",
            "%(overdue)s client concerns past the response window, %(soon)s due soon",
            overdue,
        ) % {"overdue": overdue, "soon": soon}
    if overdue:
        return ngettext(
            "%(overdue)s client concern past the response window",
            "%(overdue)s client concerns past the response window",
            overdue,
        ) % {"overdue": overdue}
    return ngettext("%(soon)s client concern due soon", "%(soon)s client concerns due soon", soon) % {"soon": soon}


def _build_message(email: ReminderEmail, now: datetime.datetime) -> EmailMultiAlternatives:
    user = email.user
    reminders = list(email.reminders.select_related("concern__case__client").order_by("concern__due_at", "concern_id"))
    items = [
        {
            "kind": reminder.kind,
            "client": reminder.concern.case.client.name,
            "case": reminder.concern.case.title,
            "url": f"{settings.SITE_URL}{reminder.concern.case.get_absolute_url()}",
            "received_at": reminder.concern.received_at,
            "due_at": reminder.concern.due_at,
            "waited": now - reminder.concern.received_at,
            "left": reminder.concern.due_at - now,
            "late": now - reminder.concern.due_at,
        }
        for reminder in reminders
    ]
    overdue = sum(item["kind"] == Reminder.Kind.OVERDUE for item in items)
    context = {"user": user, "items": items, "overdue": overdue, "site_url": settings.SITE_URL}
    # No user-typed text goes into a header: client names and case titles stay in the body.
    soon = len(items) - overdue
    context["soon"] = soon
    with timezone.override(user.time_zone), translation.override(user_language(user)):
        subject = "Settle: " + _reminder_subject(overdue, soon)
        text = render_to_string("disputes/email/reminders.txt", context)
        html = render_to_string("disputes/email/reminders.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message
