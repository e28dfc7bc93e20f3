"""Keeping each case's response clock in step with its timeline.

The rules (what is a concern, what answers it, when it is due) are in
`disputes.rules.clock`; this module feeds them the case's messages as they
stand after corrections, and stores the result: one `Concern` row per
incoming message and the case's `response_due_at`. It never writes timeline
entries: `services.timeline` calls `concerns_sync` after every entry that
changes what the clock reads.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from disputes.models import Case, Concern, TimelineEntry
from disputes.rules import clock


def response_window_for(user: User) -> datetime.timedelta:
    """The user's window: their own if shorter than Settle's, never longer."""
    return clock.effective_window(user.response_window_hours, settings.RESPONSE_WINDOW_HOURS)


def _effective_messages(case: Case) -> list[clock.Message]:
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
        clock.Message(
            key=root_id,
            incoming=by_id[root_id].kind == TimelineEntry.Kind.MESSAGE_IN,
            happened_at=entry.happened_at,
            no_answer_needed=root_id in not_needed,
        )
        for root_id, entry in latest.items()
        if by_id[root_id].kind in (TimelineEntry.Kind.MESSAGE_IN, TimelineEntry.Kind.MESSAGE_OUT)
    ]


def _state(concern: clock.Concern, case_open: bool) -> str:
    if concern.no_answer_needed:
        return Concern.State.NOT_NEEDED
    if concern.answered_at is not None:
        return Concern.State.ANSWERED
    return Concern.State.OPEN if case_open else Concern.State.CASE_CLOSED


def concerns_sync(*, case: Case) -> datetime.datetime | None:
    """Recompute the case's concerns and its response deadline; return the deadline.

    Called after every entry the clock reads (a message added or corrected,
    "no answer needed", a case closed or reopened) and when the user's window
    changes. Flag columns are never reset, so a concern is reminded of at
    most once per kind, whatever happens to it later.
    """
    with transaction.atomic():
        # Lock the case first: two messages saved at once are then synced one
        # after the other, and the second sync sees the first one's message.
        status, owner_id = Case.objects.select_for_update().filter(pk=case.pk).values_list("status", "owner_id").get()
        owner = User.objects.only("response_window_hours").get(pk=owner_id)
        return _sync_locked(case, window=response_window_for(owner), case_open=status == Case.Status.OPEN)


def _sync_locked(case: Case, *, window: datetime.timedelta, case_open: bool) -> datetime.datetime | None:
    computed = clock.concerns_of(_effective_messages(case), window=window)
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
    deadline = clock.response_deadline(computed) if case_open else None
    Case.objects.filter(pk=case.pk).update(response_due_at=deadline)
    case.response_due_at = deadline
    return deadline


def concerns_resync_for_user(*, user: User) -> int:
    """Recompute every open case of a user (after their response window changed)."""
    count = 0
    for case in Case.objects.for_owner(user).open().only("id", "owner_id"):
        concerns_sync(case=case)
        count += 1
    return count


def response_settings_update(*, user: User, email_reminders: bool, response_window_hours: int | None) -> bool:
    """Save the user's reminder settings; a new window moves the deadlines of open concerns.

    Whether the window changed is read from the stored row, not from `user`:
    the profile form has already put the new value on the instance. Returns
    whether the window changed.
    """
    limit = settings.RESPONSE_WINDOW_HOURS
    if response_window_hours is not None and not 1 <= response_window_hours <= limit:
        raise ValidationError({"response_window_hours": _("Choose between 1 and %(limit)s hours.") % {"limit": limit}})
    with transaction.atomic():
        stored = User.objects.select_for_update().only("response_window_hours").get(pk=user.pk)
        changed = stored.response_window_hours != response_window_hours
        User.objects.filter(pk=user.pk).update(
            email_reminders=email_reminders, response_window_hours=response_window_hours
        )
        user.email_reminders, user.response_window_hours = email_reminders, response_window_hours
        if changed:
            concerns_resync_for_user(user=user)
    return changed
