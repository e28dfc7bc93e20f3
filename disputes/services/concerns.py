"""Keeping a case's concerns in step with its timeline.

The rules (what is a concern, what answers it, when it is due) are in
`disputes.ladder`; this module feeds it the case's messages as they stand
after corrections, and stores the result: one `Concern` row per incoming
message and the case's `response_due_at`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from disputes import ladder
from disputes.models import Case, Concern, TimelineEntry
from disputes.services.common import ensure_owner


def _effective_messages(case: Case) -> list[ladder.Message]:
    """The case's messages with corrections applied, keyed by the original entry."""
    entries = list(
        TimelineEntry.objects.filter(case=case, kind__in=TimelineEntry.CLOCK_KINDS).only(
            "id", "kind", "happened_at", "corrects_id", "about_id"
        )
    )
    by_id = {entry.pk: entry for entry in entries}
    latest: dict[int, TimelineEntry] = {}
    for entry in entries:
        root = entry
        while root.corrects_id and root.corrects_id in by_id:
            root = by_id[root.corrects_id]
        current = latest.get(root.pk)
        # The newest correction in a chain is the one that stands.
        if current is None or entry.pk > current.pk:
            latest[root.pk] = entry
    not_needed = {entry.about_id for entry in entries if entry.kind == TimelineEntry.Kind.NO_ANSWER_NEEDED}
    return [
        ladder.Message(
            key=root_id,
            incoming=by_id[root_id].kind == TimelineEntry.Kind.MESSAGE_IN,
            happened_at=entry.happened_at,
            no_answer_needed=root_id in not_needed,
        )
        for root_id, entry in latest.items()
        if by_id[root_id].kind in (TimelineEntry.Kind.MESSAGE_IN, TimelineEntry.Kind.MESSAGE_OUT)
    ]


def _state(concern: ladder.Concern, case_open: bool) -> str:
    if concern.no_answer_needed:
        return Concern.State.NOT_NEEDED
    if concern.answered_at is not None:
        return Concern.State.ANSWERED
    return Concern.State.OPEN if case_open else Concern.State.CASE_CLOSED


def concerns_sync(*, case: Case) -> datetime.datetime | None:
    """Recompute the case's concerns and its response deadline; return the deadline.

    Called by every service that changes what the clock reads: a message added
    or corrected, "no answer needed", a case closed or reopened, a new window.
    Flag columns are never reset, so a concern is reminded of at most once
    per kind, whatever happens to it later.
    """
    with transaction.atomic():
        # Lock the case first: two messages saved at once are then synced one
        # after the other, and the second sync sees the first one's message.
        status = Case.objects.select_for_update().filter(pk=case.pk).values_list("status", flat=True).get()
        return _sync_locked(case, case_open=status == Case.Status.OPEN)


def _sync_locked(case: Case, *, case_open: bool) -> datetime.datetime | None:
    owner: User = case.owner
    computed = ladder.concerns_of(_effective_messages(case), window=owner.response_window)
    existing = {concern.message_id: concern for concern in Concern.objects.filter(case=case)}
    to_create, to_update = [], []
    for result in computed:
        values = {
            "state": _state(result, case_open),
            "received_at": result.received_at,
            "due_at": result.due_at,
            "answered_at": result.answered_at,
        }
        row = existing.get(result.key)
        if row is None:
            to_create.append(Concern(owner_id=case.owner_id, case=case, message_id=result.key, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    Concern.objects.bulk_create(to_create)
    if to_update:
        Concern.objects.bulk_update(to_update, ["state", "received_at", "due_at", "answered_at"])
    deadline = ladder.response_deadline(computed) if case_open else None
    Case.objects.filter(pk=case.pk).update(response_due_at=deadline)
    case.response_due_at = deadline
    return deadline


def concern_dismiss(*, message: TimelineEntry, author: User, reason: str) -> TimelineEntry:
    """Mark an incoming message as needing no answer, with the reason on the timeline."""
    ensure_owner(message.case, author)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this message needs no answer."})
    if message.kind != TimelineEntry.Kind.MESSAGE_IN or message.corrects_id:
        raise ValidationError("Only a client's message can be marked as needing no answer.")
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = TimelineEntry.objects.create(
                case=message.case,
                kind=TimelineEntry.Kind.NO_ANSWER_NEEDED,
                body=reason,
                happened_at=now,
                recorded_at=now,
                author=author,
                about=message,
            )
            concerns_sync(case=message.case)
    except IntegrityError:
        raise ValidationError("This message is already marked as needing no answer.") from None
    return entry


def concerns_resync_for_user(*, user: User) -> int:
    """Recompute every open case of a user (after their response window changed)."""
    cases = Case.objects.for_owner(user).open().select_related("owner")
    count = 0
    for case in cases:
        concerns_sync(case=case)
        count += 1
    return count
