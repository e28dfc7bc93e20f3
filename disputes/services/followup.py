"""After a resolution: a reminder to the freelancer, some days later, to ask the client for feedback."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.models import Case, Notification
from disputes.rules import lessons
from disputes.services.common import ensure_owner
from disputes.services.notifications import notification_queue


def feedback_key(case: Case) -> str:
    return f"feedback-reminder:{case.pk}"


def feedback_reminder_set(*, case: Case, actor: User, now: datetime.datetime | None = None) -> Notification:
    """Queue one e-mail to the freelancer, FEEDBACK_AFTER_DAYS from now, reminding them to ask the
    client for feedback. Once per case: asking again returns the reminder already queued."""
    ensure_owner(case, actor)
    stored = Case.objects.get(pk=case.pk)
    if stored.status != Case.Status.RESOLVED:
        raise ValidationError(_("A feedback reminder follows a resolved case."))
    now = now or timezone.now()
    send_at = now + datetime.timedelta(days=lessons.FEEDBACK_AFTER_DAYS)
    return notification_queue(
        key=feedback_key(case),
        user=actor,
        template="disputes/email/feedback_reminder",
        context={
            "owner": actor,
            "case": stored,
            "client": stored.client,
            "days": lessons.FEEDBACK_AFTER_DAYS,
            "url": f"{settings.SITE_URL}{stored.get_absolute_url()}",
        },
        subject=_("Settle: ask your client for feedback"),
        now=now,
        send_at=send_at,
    )


def feedback_reminder(case: Case) -> Notification | None:
    return Notification.objects.filter(key=feedback_key(case)).first()
