"""The response clock: which client messages wait for an answer, and until when.

Pure Python, no ORM; every function that depends on the time takes `now`.
Every incoming client message on an open case is a concern that needs an
answer within the response window. The first outgoing message at or after a
concern answers it (and every concern received before that reply); a concern
can also be marked "no answer needed". A case's response deadline is the due
time of its oldest unanswered concern.

All arithmetic is on absolute (UTC) time, so a 24-hour window is 24 real
hours across daylight-saving changes; only display uses a time zone.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

UTC = dt.UTC


@dataclass(frozen=True)
class Message:
    """A message on a case, as the clock sees it (after corrections are applied)."""

    key: int
    incoming: bool
    happened_at: dt.datetime
    no_answer_needed: bool = False


@dataclass(frozen=True)
class Concern:
    key: int
    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None = None
    answered_by: int | None = None
    no_answer_needed: bool = False

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and not self.no_answer_needed


class ClockState(StrEnum):
    NONE = "none"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ResponseClock:
    state: ClockState
    deadline: dt.datetime | None = None
    # Time left before the deadline; negative once it has passed.
    remaining: dt.timedelta | None = None

    @property
    def overdue_by(self) -> dt.timedelta | None:
        return -self.remaining if self.remaining is not None and self.remaining <= dt.timedelta(0) else None


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The clock needs time-zone-aware datetimes.")
    return moment.astimezone(UTC)


def due_at(received_at: dt.datetime, window: dt.timedelta) -> dt.datetime:
    """When a concern received at `received_at` must be answered.

    Converting to UTC first matters: adding a timedelta to a datetime in a
    zone with daylight saving adds wall-clock time, which is 23 or 25 real
    hours across a change.
    """
    return _aware(received_at) + window


def effective_window(user_hours: int | None, max_hours: int) -> dt.timedelta:
    """The user's own window if they chose a shorter one, never a longer one."""
    hours = max_hours if user_hours is None else min(user_hours, max_hours)
    return dt.timedelta(hours=max(hours, 1))


def concerns_of(messages: Iterable[Message], *, window: dt.timedelta) -> list[Concern]:
    """Every incoming message as a concern, with whether and when it was answered.

    The first outgoing message that happened at or after a concern was
    received answers it, and every other concern received before that reply.
    Order is by when things happened, not by when they were typed in.
    """
    messages = list(messages)
    replies = sorted((_aware(m.happened_at), m.key) for m in messages if not m.incoming)
    reply_times = [when for when, _ in replies]
    result = []
    for message in sorted((m for m in messages if m.incoming), key=lambda m: (_aware(m.happened_at), m.key)):
        received = _aware(message.happened_at)
        index = bisect.bisect_left(reply_times, received)
        answered_at, answered_by = replies[index] if index < len(replies) else (None, None)
        result.append(
            Concern(
                key=message.key,
                received_at=received,
                due_at=due_at(received, window),
                answered_at=answered_at,
                answered_by=answered_by,
                no_answer_needed=message.no_answer_needed,
            )
        )
    return result


def response_deadline(concerns: Iterable[Concern]) -> dt.datetime | None:
    """The case's deadline: the due time of its oldest unanswered concern."""
    open_due = [concern.due_at for concern in concerns if concern.is_open]
    return min(open_due) if open_due else None


def clock_state(deadline: dt.datetime | None, now: dt.datetime, *, due_soon: dt.timedelta) -> ResponseClock:
    """Where a case stands against its deadline at `now`.

    Exactly at the deadline a concern is overdue: the window is 24 hours, not
    24 hours and a moment.
    """
    if deadline is None:
        return ResponseClock(ClockState.NONE)
    remaining = _aware(deadline) - _aware(now)
    if remaining <= dt.timedelta(0):
        state = ClockState.OVERDUE
    elif remaining < due_soon:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.DUE
    return ResponseClock(state, deadline, remaining)
