"""The escalation ladder: every rule about where a case may go next.

Pure Python, no ORM: the models store the values defined here, the services
ask `plan_move()` before writing, and the pages ask `available_moves()` to
decide which buttons to show. Nothing else decides whether a move is legal.

A case sits on one of six rungs and has a status (open, resolved, walked
away). The moves:

- escalate     up one rung, while the case is open and below the top rung;
- fast_track   straight to platform support from direct talk or reminders,
               only on grounds of conduct/abuse, suspected fraud or a breach
               of the platform's policies;
- re_engage    back to direct talk, when the client talks again;
- resolve      close as resolved (with how it ended), from any rung;
- walk_away    close by writing the amount off, from any rung;
- reopen       reopen a closed case on the rung it was closed on.

Every move needs a reason in words.

The response clock (at the end of this module): every incoming client message
on an open case is a concern that needs an answer within the response window.
The first outgoing message at or after a concern answers it; a concern can
also be marked "no answer needed". A case's response deadline is the due time
of its oldest unanswered concern. All arithmetic is on absolute (UTC) time, so
a 24-hour window is 24 real hours across daylight-saving changes.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

# --- Rungs, in order ----------------------------------------------------------
DIRECT_TALK = "direct_talk"
REMINDERS = "reminders"
FORMAL_LETTER = "formal_letter"
PLATFORM_SUPPORT = "platform_support"
MEDIATION = "mediation"
LEGAL = "legal"

STAGES: tuple[str, ...] = (DIRECT_TALK, REMINDERS, FORMAL_LETTER, PLATFORM_SUPPORT, MEDIATION, LEGAL)
# Rungs on which the service's staff review the case.
ESCALATED_STAGES = frozenset({PLATFORM_SUPPORT, MEDIATION, LEGAL})

# --- Statuses -----------------------------------------------------------------
OPEN = "open"
RESOLVED = "resolved"
WALKED_AWAY = "walked_away"

STATUSES: tuple[str, ...] = (OPEN, RESOLVED, WALKED_AWAY)
CLOSED_STATUSES = frozenset({RESOLVED, WALKED_AWAY})

# --- Moves --------------------------------------------------------------------
ESCALATE = "escalate"
FAST_TRACK = "fast_track"
RE_ENGAGE = "re_engage"
RESOLVE = "resolve"
WALK_AWAY = "walk_away"
REOPEN = "reopen"

MOVES: tuple[str, ...] = (ESCALATE, FAST_TRACK, RE_ENGAGE, RESOLVE, WALK_AWAY, REOPEN)

MOVE_LABELS = {
    ESCALATE: "Escalate one rung",
    FAST_TRACK: "Go straight to platform support",
    RE_ENGAGE: "Back to direct talk",
    RESOLVE: "Close as resolved",
    WALK_AWAY: "Walk away",
    REOPEN: "Reopen the case",
}

# --- Grounds that justify skipping straight to platform support ----------------
GROUND_CONDUCT = "conduct"
GROUND_FRAUD = "fraud"
GROUND_POLICY_BREACH = "policy_breach"
FAST_TRACK_GROUNDS = {
    GROUND_CONDUCT: "Threats, harassment or abusive language",
    GROUND_FRAUD: "Suspected fraud or scam (e.g. pushing to work or pay off-platform)",
    GROUND_POLICY_BREACH: "A breach of the platform's policies",
}

# --- How a case ended -----------------------------------------------------------
PAID_IN_FULL = "paid_in_full"
PARTIAL_PAYMENT = "partial_payment"
REWORK_ACCEPTED = "rework_accepted"
REFUND = "refund"
DISCOUNT = "discount"
COMPENSATION = "compensation"
WRITTEN_OFF = "written_off"

RESOLVED_OUTCOMES = (PAID_IN_FULL, PARTIAL_PAYMENT, REWORK_ACCEPTED, REFUND, DISCOUNT, COMPENSATION)
WALK_AWAY_OUTCOMES = (WRITTEN_OFF,)


@dataclass(frozen=True)
class Rung:
    key: str
    label: str
    meaning: str
    checklist: tuple[str, ...]


RUNGS: tuple[Rung, ...] = (
    Rung(
        DIRECT_TALK,
        "Direct talk",
        "You and the client talk it through, one to one.",
        (
            "Read the client's message twice and wait a few minutes before you answer a heated one.",
            "Ask what exactly is wrong, and what outcome the client hopes for.",
            "Offer one or two concrete fixes: rework, an adjusted scope, a new date, a discount.",
            "Put whatever you agree in writing and send it to the client.",
            "Log every message here, incoming and outgoing, with its channel.",
        ),
    ),
    Rung(
        REMINDERS,
        "Reminders",
        "The client went quiet or has not paid: you remind them of the agreed date.",
        (
            "Quote the payment date and amount from the scope agreement.",
            "Send a polite reminder, then a firmer one a few days later.",
            "Say clearly which reminder is the last one before a formal letter.",
            "Record each reminder and any answer on the timeline.",
        ),
    ),
    Rung(
        FORMAL_LETTER,
        "Formal letter",
        "A written demand: what is owed, the agreement it rests on, and a seven-day deadline.",
        (
            "State the amount owed, the invoice or milestone, and the agreement version it comes from.",
            "Give a deadline seven days from the day you send it.",
            "Send it through a channel that proves delivery and attach it as evidence.",
            "If the deadline passes unpaid, send a final notice naming the date legal action follows.",
        ),
    ),
    Rung(
        PLATFORM_SUPPORT,
        "Platform support",
        "The marketplace's support team (or Settle's staff) is asked to decide.",
        (
            "Open a ticket with the platform and note its reference here.",
            "Submit your evidence: the agreement, the messages, the delivered work, invoices.",
            "Keep every exchange with support on the timeline.",
            "Stay factual and polite: support reads both sides.",
        ),
    ),
    Rung(
        MEDIATION,
        "Mediation",
        "A neutral third party helps you and the client reach an agreement.",
        (
            "Agree on a mediator with the client and on how the cost is shared.",
            "Share the case file: timeline, evidence, scope agreement versions.",
            "Decide beforehand the lowest settlement you would accept.",
            "Record any settlement proposal and your answer to it.",
        ),
    ),
    Rung(
        LEGAL,
        "Legal",
        "An attorney or a small-claims court takes over.",
        (
            "Check the small-claims limit and the filing deadline where the client lives.",
            "Hand over the full case file with its fingerprints.",
            "Keep logging every contact with the client and the lawyer.",
            "Weigh the cost of going on against the amount at stake.",
        ),
    ),
)

RUNGS_BY_KEY = {rung.key: rung for rung in RUNGS}


class IllegalMove(Exception):
    """A move the ladder does not allow; the message is fit to show a user."""


@dataclass(frozen=True)
class CaseState:
    stage: str
    status: str


@dataclass(frozen=True)
class Transition:
    move: str
    from_state: CaseState
    to_state: CaseState
    reason: str
    ground: str = ""
    outcome: str = ""


def rung(stage: str) -> Rung:
    try:
        return RUNGS_BY_KEY[stage]
    except KeyError:
        raise IllegalMove(f"Unknown stage {stage!r}.") from None


def stage_index(stage: str) -> int:
    rung(stage)
    return STAGES.index(stage)


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


def is_escalated(stage: str) -> bool:
    """Whether staff review a case on this rung."""
    return stage in ESCALATED_STAGES


def _target(state: CaseState, move: str) -> CaseState:
    """The state a move leads to, or IllegalMove saying why it cannot be made."""
    stage, status = state.stage, state.status
    index = stage_index(stage)
    if status not in STATUSES:
        raise IllegalMove(f"Unknown status {status!r}.")
    if move not in MOVES:
        raise IllegalMove(f"Unknown move {move!r}.")

    if move == REOPEN:
        if not is_closed(status):
            raise IllegalMove("The case is already open.")
        return CaseState(stage, OPEN)

    if is_closed(status):
        raise IllegalMove("The case is closed. Reopen it first.")

    if move == ESCALATE:
        if index == len(STAGES) - 1:
            raise IllegalMove("The case is already on the top rung (legal).")
        return CaseState(STAGES[index + 1], OPEN)
    if move == FAST_TRACK:
        # From formal letter, platform support is simply the next rung; from
        # above it, going "straight" there would be a step down.
        if index >= STAGES.index(PLATFORM_SUPPORT) - 1:
            raise IllegalMove("Going straight to platform support is only possible from direct talk or reminders.")
        return CaseState(PLATFORM_SUPPORT, OPEN)
    if move == RE_ENGAGE:
        if stage == DIRECT_TALK:
            raise IllegalMove("The case is already at direct talk.")
        return CaseState(DIRECT_TALK, OPEN)
    if move == RESOLVE:
        return CaseState(stage, RESOLVED)
    # WALK_AWAY
    return CaseState(stage, WALKED_AWAY)


def available_moves(state: CaseState) -> list[str]:
    """The moves the ladder allows from this state, in display order."""
    allowed = []
    for move in MOVES:
        try:
            _target(state, move)
        except IllegalMove:
            continue
        allowed.append(move)
    return allowed


def plan_move(state: CaseState, move: str, *, reason: str, ground: str = "", outcome: str = "") -> Transition:
    """Check a move against the ladder and return the transition it makes.

    Raises IllegalMove (with a message for the user) when the move is not
    allowed from `state`, when the reason is blank, when a fast track lacks a
    valid ground, or when closing lacks a matching outcome.
    """
    target = _target(state, move)
    reason = (reason or "").strip()
    if not reason:
        raise IllegalMove("Give a reason for this move: it goes on the case's record.")
    if move == FAST_TRACK:
        if ground not in FAST_TRACK_GROUNDS:
            raise IllegalMove(
                "Going straight to platform support needs a ground: conduct or abuse, "
                "suspected fraud, or a breach of the platform's policies."
            )
    elif ground:
        raise IllegalMove("A ground is only given when going straight to platform support.")
    if move == RESOLVE and outcome not in RESOLVED_OUTCOMES:
        raise IllegalMove("Say how the case was resolved.")
    if move == WALK_AWAY:
        outcome = outcome or WRITTEN_OFF
        if outcome not in WALK_AWAY_OUTCOMES:
            raise IllegalMove("Walking away means writing the amount off.")
    if move not in (RESOLVE, WALK_AWAY) and outcome:
        raise IllegalMove("An outcome is only given when closing the case.")
    return Transition(move=move, from_state=state, to_state=target, reason=reason, ground=ground, outcome=outcome)


def default_ground_for_kind(kind: str) -> str:
    """The fast-track ground a case's kind suggests, if any (a hint for forms)."""
    return {"conduct": GROUND_CONDUCT, "fraud": GROUND_FRAUD}.get(kind, "")


# --- The response clock ----------------------------------------------------------
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


# --- Formal-letter deadlines --------------------------------------------------------
def letter_deadline(sent_on: dt.date, days: int) -> dt.date:
    """The calendar date by which a formal letter asks for payment: sent + `days`."""
    return sent_on + dt.timedelta(days=days)


def deadline_passes_at(deadline: dt.date, time_zone: str) -> dt.datetime:
    """The moment a letter's deadline has passed: the end of that day where the freelancer is.

    Midnight is taken in the zone, then converted to UTC, so a deadline across
    a daylight-saving change still ends at the local midnight.
    """
    local_midnight = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(time_zone))
    return local_midnight.astimezone(UTC)
