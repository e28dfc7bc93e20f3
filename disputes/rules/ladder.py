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

Every move needs a reason in words. The response clock and the letter
deadlines are their own subjects: `rules.clock` and `rules.deadlines`.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(text: str) -> str:
    """Marks a label for the translation catalogue; the pages show it through gettext (the rules stay pure)."""
    return text


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
    ESCALATE: _("Escalate one rung"),
    FAST_TRACK: _("Go straight to platform support"),
    RE_ENGAGE: _("Back to direct talk"),
    RESOLVE: _("Close as resolved"),
    WALK_AWAY: _("Walk away"),
    REOPEN: _("Reopen the case"),
}

# --- Grounds that justify skipping straight to platform support ----------------
GROUND_CONDUCT = "conduct"
GROUND_FRAUD = "fraud"
GROUND_POLICY_BREACH = "policy_breach"
FAST_TRACK_GROUNDS = {
    GROUND_CONDUCT: _("Threats, harassment or abusive language"),
    GROUND_FRAUD: _("Suspected fraud or scam (e.g. pushing to work or pay off-platform)"),
    GROUND_POLICY_BREACH: _("A breach of the platform's policies"),
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
        _("Direct talk"),
        _("You and the client talk it through, one to one."),
        (
            _("Read the client's message twice and wait a few minutes before you answer a heated one."),
            _("Ask what exactly is wrong, and what outcome the client hopes for."),
            _("Offer one or two concrete fixes: rework, an adjusted scope, a new date, a discount."),
            _("Put whatever you agree in writing and send it to the client."),
            _("Log every message here, incoming and outgoing, with its channel."),
        ),
    ),
    Rung(
        REMINDERS,
        _("Reminders"),
        _("The client went quiet or has not paid: you remind them of the agreed date."),
        (
            _("Quote the payment date and amount from the scope agreement."),
            _("Send a polite reminder, then a firmer one a few days later."),
            _("Say clearly which reminder is the last one before a formal letter."),
            _("Record each reminder and any answer on the timeline."),
        ),
    ),
    Rung(
        FORMAL_LETTER,
        _("Formal letter"),
        _("A written demand: what is owed, the agreement it rests on, and a seven-day deadline."),
        (
            _("State the amount owed, the invoice or milestone, and the agreement version it comes from."),
            _("Give a deadline seven days from the day you send it."),
            _("Send it through a channel that proves delivery and attach it as evidence."),
            _("If the deadline passes unpaid, send a final notice naming the date legal action follows."),
        ),
    ),
    Rung(
        PLATFORM_SUPPORT,
        _("Platform support"),
        _("The marketplace's support team (or Settle's staff) is asked to decide."),
        (
            _("Open a ticket with the platform and note its reference here."),
            _("Submit your evidence: the agreement, the messages, the delivered work, invoices."),
            _("Keep every exchange with support on the timeline."),
            _("Stay factual and polite: support reads both sides."),
        ),
    ),
    Rung(
        MEDIATION,
        _("Mediation"),
        _("A neutral third party helps you and the client reach an agreement."),
        (
            _("Agree on a mediator with the client and on how the cost is shared."),
            _("Share the case file: timeline, evidence, scope agreement versions."),
            _("Decide beforehand the lowest settlement you would accept."),
            _("Record any settlement proposal and your answer to it."),
        ),
    ),
    Rung(
        LEGAL,
        _("Legal"),
        _("An attorney or a small-claims court takes over."),
        (
            _("Check the small-claims limit and the filing deadline where the client lives."),
            _("Hand over the full case file with its fingerprints."),
            _("Keep logging every contact with the client and the lawyer."),
            _("Weigh the cost of going on against the amount at stake."),
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


def in_review(state: CaseState) -> bool:
    """Whether the case belongs in the staff review queue: open, on an escalated rung."""
    return is_escalated(state.stage) and not is_closed(state.status)


def seals_record(from_stage: str, to_stage: str) -> bool:
    """Whether a move seals the case's record: each arrival on platform support, mediation or legal.

    From then on others weigh the record, so its chain head is signed and put
    on the timeline (services.timeline).
    """
    return to_stage in ESCALATED_STAGES and to_stage != from_stage


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
            raise IllegalMove(_("The case is already open."))
        return CaseState(stage, OPEN)

    if is_closed(status):
        raise IllegalMove(_("The case is closed. Reopen it first."))

    if move == ESCALATE:
        if index == len(STAGES) - 1:
            raise IllegalMove(_("The case is already on the top rung (legal)."))
        return CaseState(STAGES[index + 1], OPEN)
    if move == FAST_TRACK:
        # From formal letter, platform support is simply the next rung; from
        # above it, going "straight" there would be a step down.
        if index >= STAGES.index(PLATFORM_SUPPORT) - 1:
            raise IllegalMove(_("Going straight to platform support is only possible from direct talk or reminders."))
        return CaseState(PLATFORM_SUPPORT, OPEN)
    if move == RE_ENGAGE:
        if stage == DIRECT_TALK:
            raise IllegalMove(_("The case is already at direct talk."))
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
        raise IllegalMove(_("Give a reason for this move: it goes on the case's record."))
    if move == FAST_TRACK:
        if ground not in FAST_TRACK_GROUNDS:
            raise IllegalMove(
                _(
                    "Going straight to platform support needs a ground: conduct or abuse, "
                    "suspected fraud, or a breach of the platform's policies."
                )
            )
    elif ground:
        raise IllegalMove(_("A ground is only given when going straight to platform support."))
    if move == RESOLVE and outcome not in RESOLVED_OUTCOMES:
        raise IllegalMove(_("Say how the case was resolved."))
    if move == WALK_AWAY:
        outcome = outcome or WRITTEN_OFF
        if outcome not in WALK_AWAY_OUTCOMES:
            raise IllegalMove(_("Walking away means writing the amount off."))
    if move not in (RESOLVE, WALK_AWAY) and outcome:
        raise IllegalMove(_("An outcome is only given when closing the case."))
    return Transition(move=move, from_state=state, to_state=target, reason=reason, ground=ground, outcome=outcome)


def default_ground_for_kind(kind: str) -> str:
    """The fast-track ground a case's kind suggests, if any (a hint for forms)."""
    return {"conduct": GROUND_CONDUCT, "fraud": GROUND_FRAUD}.get(kind, "")
