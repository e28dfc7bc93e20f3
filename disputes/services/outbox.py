"""Sending outbox rows (see `disputes.models.outbox`): claim, send, record.

Shared by the reminder e-mails and the notifications, so both behave the
same way: exactly one sender per row, failed sends retried after 2, 4, 8…
minutes for at most REMINDER_MAX_ATTEMPTS tries, a row left "sending" by a
dead worker never re-sent on its own.
"""

import datetime
import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from disputes.models import OutboxRow

logger = logging.getLogger(__name__)

BACKOFF_BASE_MINUTES = 2
SENDABLE = [OutboxRow.Status.PENDING, OutboxRow.Status.FAILED]


def outbox_due(*, model: type[OutboxRow], now: datetime.datetime) -> list[int]:
    """Ids of rows that are pending, or failed and due for another try."""
    return list(
        model.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now, attempts__lt=settings.REMINDER_MAX_ATTEMPTS)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)
    )


def outbox_send(
    *, model: type[OutboxRow], pk: int, build: Callable[[OutboxRow, datetime.datetime], EmailMessage], now=None
) -> bool | None:
    """Claim one row and send it. True: sent; False: failed; None: not ours to send."""
    now = now or timezone.now()
    claimed = model.objects.filter(
        pk=pk, status__in=SENDABLE, attempts__lt=settings.REMINDER_MAX_ATTEMPTS, next_attempt_at__lte=now
    ).update(status=OutboxRow.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if claimed != 1:
        return None  # Another worker got there first, or it is not due.
    row = model.objects.get(pk=pk)
    try:
        build(row, now).send()
    except (smtplib.SMTPException, OSError) as error:
        retry_at = None
        if row.attempts < settings.REMINDER_MAX_ATTEMPTS:
            retry_at = now + datetime.timedelta(minutes=BACKOFF_BASE_MINUTES**row.attempts)
        model.objects.filter(pk=pk, status=OutboxRow.Status.SENDING).update(
            status=OutboxRow.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=retry_at,
        )
        logger.warning("%s %s failed (try %s): %s", model.__name__, pk, row.attempts, error)
        return False
    model.objects.filter(pk=pk, status=OutboxRow.Status.SENDING).update(
        status=OutboxRow.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_send_due(
    *, model: type[OutboxRow], build: Callable[[OutboxRow, datetime.datetime], EmailMessage], now
) -> tuple[int, int]:
    sent = failed = 0
    for pk in outbox_due(model=model, now=now):
        outcome = outbox_send(model=model, pk=pk, build=build, now=now)
        sent += outcome is True
        failed += outcome is False
    return sent, failed


def outbox_retry(*, row: OutboxRow, now: datetime.datetime | None = None) -> bool:
    """Put a failed or stuck row back in the queue (staff action). Sent rows are left alone.

    A row stuck in "sending" may in fact have gone out before its worker
    died; retrying it can then deliver it twice. That is the operator's call.
    """
    now = now or timezone.now()
    changed = (
        type(row)
        .objects.filter(pk=row.pk, status__in=[OutboxRow.Status.FAILED, OutboxRow.Status.SENDING])
        .update(
            status=OutboxRow.Status.PENDING,
            next_attempt_at=now,
            attempts=min(row.attempts, settings.REMINDER_MAX_ATTEMPTS - 1),
        )
    )
    return changed == 1
