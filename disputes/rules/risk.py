"""How risky a client is, and why: pure Python, no Django, no database.

A client's level (low, watch, high) comes from what Settle knows about them: the
warning signs written down, their past cases and how those ended, payments
that came late or not at all, and concerns that were left waiting. Each fact
adds points and a reason in words; the level is where the points land. The
advice is the one the sources give for each level: prepayment, payment per
iteration, no source files before payment, the scope accepted in writing.

Nothing here blocks anything: the level is shown with its reasons, and the
freelancer decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from disputes.rules.words import InSentence, ngettext, said


def _(text: str) -> str:
    """Marks a text for the translation catalogue; pages show it through gettext (the rules stay pure)."""
    return text


LOW, WATCH, HIGH = "low", "watch", "high"
LABELS = {LOW: _("Low risk"), WATCH: _("Watch"), HIGH: _("High risk")}

# Points at which a client is to be watched, and at which they are high risk.
WATCH_AT = 2
HIGH_AT = 5

# Warning signs that say most about getting paid count double.
SIGN_POINTS = {
    "refused_prepayment": 2,
    "source_before_payment": 2,
    "unpaid_test_work": 2,
    "unusual_payment": 2,
    "off_platform": 2,
    "abusive_language": 2,
    "ignores_boundaries": 1,
    "never_satisfied": 1,
}
# Outcomes of a past case that mean the freelancer lost money or gave it back.
LOSSES = frozenset({"written_off", "refund", "partial_payment", "discount", "compensation"})


@dataclass(frozen=True)
class History:
    """What Settle knows about one client. `signs` maps a warning sign's kind to its label, once per
    kind noticed (however often); `losses` counts past cases whose outcome is in LOSSES."""

    signs: Mapping[str, str] = field(default_factory=dict)
    open_cases: int = 0
    closed_cases: int = 0
    escalated_cases: int = 0  # reached platform support, mediation or legal
    losses: int = 0
    walked_away: int = 0
    late_payments: int = 0  # paid after the due date
    unpaid_overdue: int = 0  # still unpaid past the due date
    concerns_late: int = 0  # the client's concerns answered after the window, or still waiting past it


@dataclass(frozen=True)
class Risk:
    level: str
    points: int
    reasons: tuple[str, ...]
    advice: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.level]


def assess(history: History) -> Risk:
    points = 0
    reasons: list[str] = []
    for kind, label in history.signs.items():
        weight = SIGN_POINTS.get(kind, 1)
        points += weight
        reasons.append(said(_("Warning sign: %(sign)s."), sign=InSentence(label)))
    if history.open_cases:
        points += 2
        reasons.append(
            ngettext(
                "%(count)s case is open with this client now.",
                "%(count)s cases are open with this client now.",
                history.open_cases,
            )
        )
    if history.closed_cases:
        points += 1
        reasons.append(
            ngettext(
                "%(count)s past case with this client.", "%(count)s past cases with this client.", history.closed_cases
            )
        )
    if history.escalated_cases:
        points += 2
        reasons.append(
            ngettext(
                "%(count)s case went as far as platform support, mediation or legal.",
                "%(count)s cases went as far as platform support, mediation or legal.",
                history.escalated_cases,
            )
        )
    if history.losses:
        points += 2
        reasons.append(
            ngettext(
                "%(count)s case ended with less than the full amount.",
                "%(count)s cases ended with less than the full amount.",
                history.losses,
            )
        )
    if history.walked_away:
        points += 2
        reasons.append(
            ngettext(
                "You walked away from %(count)s case with this client.",
                "You walked away from %(count)s cases with this client.",
                history.walked_away,
            )
        )
    if history.unpaid_overdue:
        points += 2
        reasons.append(
            ngettext(
                "%(count)s payment is unpaid past the due date.",
                "%(count)s payments are unpaid past the due date.",
                history.unpaid_overdue,
            )
        )
    if history.late_payments:
        points += 1
        reasons.append(
            ngettext(
                "%(count)s payment came after the due date.",
                "%(count)s payments came after the due date.",
                history.late_payments,
            )
        )
    if history.concerns_late:
        points += 1
        reasons.append(
            ngettext(
                "%(count)s concern from this client waited past the 24-hour window.",
                "%(count)s concerns from this client waited past the 24-hour window.",
                history.concerns_late,
            )
        )
    level = HIGH if points >= HIGH_AT else WATCH if points >= WATCH_AT else LOW
    if not reasons:
        reasons.append(_("Nothing on record against this client yet."))
    return Risk(level=level, points=points, reasons=tuple(reasons), advice=ADVICE[level])


ADVICE = {
    LOW: (
        _("Have the scope accepted in writing before work starts, with what is out of scope."),
        _("Send work in stages, with a payment date for each."),
    ),
    WATCH: (
        _("Ask for a third to half of each iteration up front."),
        _("Invoice per iteration and start the next one only when the last is paid."),
        _("Keep source files and full-resolution files until the final payment."),
        _("Have the scope accepted in writing, and each change to it too."),
    ),
    HIGH: (
        _("Ask for half up front, or decline the work."),
        _("Payment per iteration: no new iteration before the last is paid."),
        _("No source files, full-resolution files or access before full payment."),
        _("Scope, price and revision rounds accepted in writing before you start."),
        _("Keep every message in one written channel you can export."),
    ),
}
