"""Reply starters for the moments of a dispute: pure Python, no Django.

The sources freelancers trust describe the same few moments again and again:
acknowledging a complaint, asking what exactly the client wants, offering
options, setting a boundary, declining politely and walking away. Each user
starts from these starters and edits their own copy (models.Phrase).
"""

from __future__ import annotations

MOMENTS: dict[str, str] = {
    "acknowledge": "Acknowledge",
    "clarify": "Clarify what the client wants",
    "options": "Propose options",
    "boundary": "Set a boundary",
    "decline": "Decline politely",
    "walk_away": "Walk away",
}

STARTERS: dict[str, tuple[str, ...]] = {
    "acknowledge": (
        "Thank you for telling me. I understand this is not what you expected, and I want to sort it out with you.",
        "I have read your message carefully and I take it seriously.",
    ),
    "clarify": (
        "So that I fix the right thing: which parts exactly do not work for you, and what would you like instead?",
        "Could you point me to the part of the agreed scope you feel is missing?",
    ),
    "options": (
        "I can offer two ways forward: (1) … by …, or (2) … Which would you prefer?",
        "Within the agreed scope I can …; anything beyond it I can quote separately.",
    ),
    "boundary": (
        "I am glad to help with this. It is outside what we agreed, so I will send a separate quote first.",
        "I answer messages on working days between 9:00 and 18:00; I will reply by tomorrow.",
    ),
    "decline": (
        "I am not able to do this within the current agreement, but I can suggest someone who could.",
        "I understand why you ask, but I cannot hand over the source files before the final payment.",
    ),
    "walk_away": (
        "I do not think we will reach an agreement on this, so I will close the project as it stands.",
        "I have done what we agreed. I am writing off the remaining amount and closing the project.",
    ),
}

MAX_LENGTH = 1000
