"""Why cases happen: the short list of root causes a freelancer picks from when a case closes,
each with what to do differently next time. Pure Python, no ORM.

The list follows the causes the sources name again and again: scope nobody wrote down or the
client never accepted, no money up front, dates that were never concrete, expectations about
quality left unsaid, talk that went quiet or heated, and clients who could not or would not pay.
"""

from __future__ import annotations

ROOT_CAUSES: dict[str, tuple[str, str]] = {
    # key: (label, what to do next time)
    "unclear_scope": (
        "Scope unclear or not written down",
        "Write the deliverables, revision rounds and what is out of scope before starting.",
    ),
    "scope_not_accepted": (
        "Scope never accepted by the client",
        "Get the client's written acceptance of the scope (a reply “I agree” is enough) before work starts.",
    ),
    "no_prepayment": (
        "No prepayment or payment per stage",
        "Ask for part of the price up front and bill per iteration; hand over source files after payment.",
    ),
    "vague_dates": (
        "Dates not concrete",
        "Put real dates in the agreement for each delivery and each payment, not “soon”.",
    ),
    "quality_expectations": (
        "Quality expectations not agreed",
        "Agree on references, examples and acceptance criteria before the first draft.",
    ),
    "communication": (
        "Communication gaps or tone",
        "Answer every concern within a day, even briefly, and cool off before replying to a heated message.",
    ),
    "late_delivery": (
        "Our delivery was late",
        "Tell the client early when a date slips and agree a new one in writing.",
    ),
    "client_cannot_pay": (
        "Client could not pay",
        "Check the client before starting and keep payments small and frequent.",
    ),
    "bad_faith": (
        "Client acted in bad faith",
        "Watch for warning signs early (refusing prepayment, pressure to leave the platform) and stop work until paid.",
    ),
    "other": ("Something else", "Write what you would do differently in the lessons."),
}

CHOICES: list[tuple[str, str]] = [(key, label) for key, (label, _) in ROOT_CAUSES.items()]


def label(key: str) -> str:
    return ROOT_CAUSES[key][0] if key in ROOT_CAUSES else ""


def advice(key: str) -> str:
    return ROOT_CAUSES[key][1] if key in ROOT_CAUSES else ""


# After a resolution: a follow-up to the client, and when to ask for feedback.
FEEDBACK_AFTER_DAYS = 14


def follow_up_message(client_name: str, project_title: str) -> str:
    """A short, warm message to send after a case is resolved: thanks, what was agreed, the door open."""
    greeting = f"Hello {client_name}," if client_name else "Hello,"
    return (
        f"{greeting}\n\n"
        f"Thank you for working through the questions on “{project_title}” with me. "
        "I'm glad we found a way forward, and I've noted what we agreed.\n\n"
        "If anything else comes up, write to me directly and I'll answer within a day. "
        "I'd be happy to work together again.\n\nBest regards"
    )
