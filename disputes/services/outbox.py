"""Sending outbox rows (see `disputes.models.outbox`): claim with a lease, hand over, record.

Shared by the reminder e-mails and the notifications, so both behave the
same way:

- exactly one sender per row: the claim is a conditional UPDATE
  (pending/failed → sending) that one process wins;
- the claim holds a lease of OUTBOX_LEASE_SECONDS, longer than any send can
  take with EMAIL_TIMEOUT on every step; `outbox_reclaim` (a sweep step) takes
  back rows whose lease ran out because their worker died;
- the moment the message is handed over is written before waiting for the
  server's answer (`disputes.delivery`). A failure before it is "failed" and
  retried after 2, 4, 8… minutes; a refusal after it is "failed" too (the
  server said no); silence or a dropped connection after it is "unknown" and
  is never resent on its own, since the message may have arrived;
- any error while building or sending (a template error included) is
  recorded on its row and does not stop the other rows.

A person retries an unknown or given-up row from the outbox page or the
admin (`outbox_retry`); for an unknown one that can deliver it twice, and the
page says so. Every try of a row carries the row's Message-ID.
"""

import datetime
import logging
from collections.abc import Callable
from email.utils import make_msgid, parseaddr
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from disputes.delivery import RefusedAfterHandover, deliver
from disputes.models import OutboxRow

logger = logging.getLogger(__name__)

BACKOFF_BASE_MINUTES = 2
SENDABLE = [OutboxRow.Status.PENDING, OutboxRow.Status.FAILED]
RETRYABLE_BY_HAND = [OutboxRow.Status.FAILED, OutboxRow.Status.UNKNOWN, OutboxRow.Status.PENDING]


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_OURS = "not_ours"  # another worker holds it, or it is not due


def new_message_id() -> str:
    """A Message-ID for a new row, on the sending domain (kept for every try of the row)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "settle.localhost"
    return make_msgid(domain=domain)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def outbox_due(*, model: type[OutboxRow], now: datetime.datetime) -> list[int]:
    """Ids of rows that are pending, or failed and due for another try."""
    return list(
        model.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now, attempts__lt=settings.REMINDER_MAX_ATTEMPTS)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)
    )


def outbox_send(
    *,
    model: type[OutboxRow],
    pk: int,
    build: Callable[[OutboxRow, datetime.datetime], EmailMessage],
    now=None,
    on_sent: Callable[[int], None] | None = None,
    related: tuple[str, ...] = (),
) -> Outcome:
    """Claim one row, send it, record what happened. `related` names what `build` reads through
    the row's foreign keys, loaded with it in the same query.

    `on_sent(pk)` runs once the server accepted the message and the row says
    so; if it fails, the row stays sent and the error is logged (the caller's
    sweep step repairs what `on_sent` should have written).
    """
    now = now or timezone.now()
    claimed = model.objects.filter(
        pk=pk, status__in=SENDABLE, attempts__lt=settings.REMINDER_MAX_ATTEMPTS, next_attempt_at__lte=now
    ).update(
        status=OutboxRow.Status.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        lease_until=now + _lease(),
        handed_over_at=None,
    )
    if claimed != 1:
        return Outcome.NOT_OURS
    row = model.objects.select_related(*related).get(pk=pk)
    handed_over = []

    def mark_handed_over() -> None:
        # Written before the server's answer is awaited: if we die waiting, the sweep knows.
        model.objects.filter(pk=pk, status=OutboxRow.Status.SENDING).update(handed_over_at=timezone.now())
        handed_over.append(True)

    try:
        message = build(row, now)
        message.extra_headers["Message-ID"] = row.message_id or new_message_id()
        deliver(message, on_handover=mark_handed_over)
    except RefusedAfterHandover as error:
        return _failed(model, row, now, error)
    except Exception as error:  # Recorded on the row; the caller goes on with the next one.
        if handed_over:
            return _unknown(model, row, error)
        return _failed(model, row, now, error)
    model.objects.filter(pk=pk, status=OutboxRow.Status.SENDING).update(
        status=OutboxRow.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
    )
    if on_sent is not None:
        try:
            on_sent(pk)
        except Exception:
            logger.exception("%s %s was sent, but recording it failed; the sweep records it", model.__name__, pk)
    return Outcome.SENT


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _failed(model, row: OutboxRow, now: datetime.datetime, error: Exception) -> Outcome:
    retry_at = None
    if row.attempts < settings.REMINDER_MAX_ATTEMPTS:
        retry_at = now + datetime.timedelta(minutes=BACKOFF_BASE_MINUTES**row.attempts)
    model.objects.filter(pk=row.pk, status=OutboxRow.Status.SENDING).update(
        status=OutboxRow.Status.FAILED, last_error=_describe(error), next_attempt_at=retry_at, lease_until=None
    )
    logger.warning("%s %s failed (try %s): %s", model.__name__, row.pk, row.attempts, error)
    return Outcome.FAILED


def _unknown(model, row: OutboxRow, error: Exception) -> Outcome:
    model.objects.filter(pk=row.pk, status=OutboxRow.Status.SENDING).update(
        status=OutboxRow.Status.UNKNOWN,
        last_error=f"Handed to the mail server, then no answer ({_describe(error)}). It may have been delivered.",
        next_attempt_at=None,
        lease_until=None,
    )
    logger.error("%s %s: fate unknown after hand-over: %s", model.__name__, row.pk, error)
    return Outcome.UNKNOWN


def outbox_reclaim(*, model: type[OutboxRow], now: datetime.datetime) -> tuple[int, int]:
    """Take back claims whose lease ran out (their worker died). Returns (to retry, unknown).

    Not handed over yet: the server has no complete message, so it goes back
    to "failed" and is tried again at once (its try still counts). Handed
    over: it may have arrived, so it becomes "unknown" for a person to decide.
    """
    expired = model.objects.filter(status=OutboxRow.Status.SENDING, lease_until__lt=now)
    retry = expired.filter(handed_over_at__isnull=True).update(
        status=OutboxRow.Status.FAILED,
        next_attempt_at=now,
        lease_until=None,
        last_error="The sender stopped before handing the message over (a worker was stopped?); sending again.",
    )
    unknown = expired.filter(handed_over_at__isnull=False).update(
        status=OutboxRow.Status.UNKNOWN,
        next_attempt_at=None,
        lease_until=None,
        last_error="The sender stopped after handing the message to the mail server; it may have been delivered.",
    )
    if unknown:
        logger.error("%s: %s row(s) of unknown fate after a lost sender", model.__name__, unknown)
    return retry, unknown


def outbox_send_due(
    *,
    model: type[OutboxRow],
    build: Callable[[OutboxRow, datetime.datetime], EmailMessage],
    now,
    on_sent: Callable[[int], None] | None = None,
) -> dict[Outcome, int]:
    counts = dict.fromkeys(Outcome, 0)
    for pk in outbox_due(model=model, now=now):
        counts[outbox_send(model=model, pk=pk, build=build, now=now, on_sent=on_sent)] += 1
    return counts


def outbox_retry(*, row: OutboxRow, now: datetime.datetime | None = None) -> bool:
    """Put a failed, given-up or unknown row back in the queue (a person's decision). Sent rows are left alone.

    An unknown row may already have been delivered: retrying it can deliver
    it twice (with the same Message-ID). That is the operator's call.
    """
    now = now or timezone.now()
    changed = (
        type(row)
        .objects.filter(pk=row.pk, status__in=RETRYABLE_BY_HAND)
        .update(
            status=OutboxRow.Status.PENDING,
            next_attempt_at=now,
            attempts=min(row.attempts, settings.REMINDER_MAX_ATTEMPTS - 1),
            handed_over_at=None,
        )
    )
    return changed == 1
