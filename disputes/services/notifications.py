"""One-off e-mails (staff decisions, digests, mediator invitations) through the outbox.

A notification queued inside a request is handed to a worker as soon as the
request's transaction commits (`transaction.on_commit`); the sweep's outbox
step is the safety net that sends whatever that did not (a broker that was
down, a worker that was busy). Either way the row is claimed before sending,
so it goes out once.
"""

import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from disputes.languages import user_language
from disputes.models import Notification
from disputes.queue import enqueue_after_commit
from disputes.services.outbox import Outcome, new_message_id, outbox_send, outbox_send_due


def notification_queue(
    *,
    key: str,
    template: str,
    context: dict,
    subject: str,
    user: User | None = None,
    to_email: str = "",
    now: datetime.datetime | None = None,
    send_after_commit: bool = False,
    send_at: datetime.datetime | None = None,
    language: str | None = None,
) -> Notification | None:
    """Write one e-mail to the outbox, rendered now. A key already queued is left alone.

    `subject` is Settle's own wording: no user-typed text goes into a header.
    The row is due at `now` (default: this moment). With `send_after_commit`
    a worker is asked to send it once the transaction commits; the sweep sends
    it otherwise (a sweep step queues with the sweep's own `now`, so the same
    sweep's outbox step sends it). `send_at` holds it back until then (a reminder for later).
    The e-mail is written in `language`: by default the user's (disputes.languages); a caller
    writing to a client passes the client's.
    """
    now = now or timezone.now()
    zone = user.time_zone if user else "UTC"
    with (
        timezone.override(zone),
        translation.override(language or (user_language(user) if user else translation.get_language())),
    ):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        subject = str(subject)
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    key=key,
                    user=user,
                    to_email=to_email or user.email,
                    subject=subject,
                    text=text,
                    html=html,
                    created_at=now,
                    next_attempt_at=send_at or now,
                    message_id=new_message_id(),
                )
            ],
            ignore_conflicts=True,
        )
    row = created[0] if created and created[0].pk else Notification.objects.filter(key=key).first()
    if row is not None and send_after_commit:
        enqueue_after_commit("disputes.tasks.send_notification", row.pk)
    return row


def _build(row: Notification, now: datetime.datetime) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=row.subject, body=row.text, to=[row.to_email])
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def notification_send(*, pk: int, now: datetime.datetime | None = None) -> Outcome:
    """Send one queued notification now (the task run right after the commit)."""
    return outbox_send(model=Notification, pk=pk, build=_build, now=now)


def notifications_send_due(*, now: datetime.datetime) -> dict[Outcome, int]:
    return outbox_send_due(model=Notification, build=_build, now=now)
