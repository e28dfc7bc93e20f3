"""One-off e-mails (staff decisions, digests, mediator invitations) through the outbox."""

import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from disputes.models import Notification
from disputes.services.outbox import outbox_send_due


def notification_queue(
    *,
    key: str,
    template: str,
    context: dict,
    subject: str,
    user: User | None = None,
    to_email: str = "",
    now: datetime.datetime | None = None,
) -> Notification | None:
    """Write one e-mail to the outbox, rendered now. A key already queued is left alone.

    `subject` is Settle's own wording: no user-typed text goes into a header.
    The row is due at `now` (default: this moment); the sweep's outbox step
    sends every row due by the sweep's time, so a sweep step that queues an
    e-mail with the sweep's `now` gets it sent in the same sweep.
    """
    now = now or timezone.now()
    zone = user.time_zone if user else "UTC"
    with timezone.override(zone):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
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
                    next_attempt_at=now,
                )
            ],
            ignore_conflicts=True,
        )
    return created[0] if created and created[0].pk else Notification.objects.filter(key=key).first()


def _build(row: Notification, now: datetime.datetime) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=row.subject, body=row.text, to=[row.to_email])
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def notifications_send_due(*, now: datetime.datetime) -> tuple[int, int]:
    return outbox_send_due(model=Notification, build=_build, now=now)
