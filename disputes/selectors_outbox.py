"""The outbox's health, for the staff page: counts by state and the rows a person must look at."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from disputes.models import Notification, OutboxRow, ReminderEmail

KINDS = {"reminder": ReminderEmail, "notification": Notification}
S = OutboxRow.Status


@dataclass
class OutboxHealth:
    kind: str
    label: str
    counts: dict
    attention: list


def _counts(model, now: datetime.datetime) -> dict:
    return model.objects.aggregate(
        pending=Count("id", filter=Q(status=S.PENDING)),
        sending=Count("id", filter=Q(status=S.SENDING, lease_until__gte=now)),
        stale=Count("id", filter=Q(status=S.SENDING, lease_until__lt=now)),
        unknown=Count("id", filter=Q(status=S.UNKNOWN)),
        retrying=Count("id", filter=Q(status=S.FAILED, next_attempt_at__isnull=False)),
        given_up=Count("id", filter=Q(status=S.FAILED, next_attempt_at__isnull=True)),
        sent_today=Count("id", filter=Q(status=S.SENT, sent_at__gte=now - datetime.timedelta(days=1))),
    )


def outbox_health(*, now: datetime.datetime, limit: int = 50) -> list[OutboxHealth]:
    """Both outboxes: their counts, and the rows needing a decision (unknown, given up, stale claims)."""
    needs_a_person = Q(status=S.UNKNOWN) | Q(status=S.FAILED, next_attempt_at__isnull=True)
    needs_a_person |= Q(status=S.SENDING, lease_until__lt=now)
    result = []
    for kind, model in KINDS.items():
        rows = model.objects.filter(needs_a_person).order_by("-created_at", "-id")
        rows = rows.select_related("user")[:limit]
        label = "Reminder e-mails" if model is ReminderEmail else "Notifications"
        result.append(OutboxHealth(kind=kind, label=label, counts=_counts(model, now), attention=list(rows)))
    return result
