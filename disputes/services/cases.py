"""Opening cases and moving them on the escalation ladder.

Stage and status change here and nowhere else. Each move is checked by
`disputes.rules.ladder`, then written together with its timeline entry in
one transaction. Every refusal is a `MoveRefused` (a ValidationError) whose
message a person can read; a lost race is its subclass `StaleCase`.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.languages import on_the_record
from disputes.models import Case, Project, TimelineEntry
from disputes.rules import ladder, lessons
from disputes.services.common import apply_fields, changed_fields, ensure_owner, stored_for_update
from disputes.services.history import changes_record
from disputes.services.review import review_follow_case
from disputes.services.timeline import StageChange, entry_append

# What the freelancer describes about a case. The currency is not here: a case
# is always in its project's currency.
CASE_FIELDS = (
    "title",
    "kind",
    "amount_in_dispute",
    "client_complaint",
    "client_wants",
    "offered_solutions",
)
OPENED = "opened"


class MoveRefused(ValidationError):
    """The ladder refuses the move, or its details are wrong; the message says why."""


class StaleCase(MoveRefused):
    """The case changed between the page being shown and the move being sent."""


STALE_MESSAGE = (
    "This case was changed since you opened the page, so nothing was changed. Look at its current stage and try again."
)


@transaction.atomic
def case_open(*, owner: User, project: Project, data: Mapping[str, Any]) -> Case:
    """Open a case on a project, on the direct-talk rung, in the project's currency.

    The project row is locked and its currency read from it, so a currency
    change saved at the same moment cannot leave the case in the old one.
    """
    ensure_owner(project, owner)
    stored = Project.objects.select_for_update().only("client_id", "currency").get(pk=project.pk)
    now = timezone.now()
    case = Case(
        owner=owner,
        project=project,
        client_id=stored.client_id,
        currency=stored.currency,
        stage=Case.Stage.DIRECT_TALK,
        status=Case.Status.OPEN,
        opened_at=now,
        stage_changed_at=now,
    )
    apply_fields(case, data, CASE_FIELDS)
    case.full_clean()
    case.save()
    with on_the_record(owner):
        said = gettext("Case opened.")
    entry_append(
        case=case,
        author=owner,
        kind=TimelineEntry.Kind.STAGE_CHANGE,
        body=said,
        stage_change=StageChange(move=OPENED, to_stage=case.stage, to_status=case.status),
        now=now,
    )
    return case


def case_update(*, case: Case, actor: User, data: Mapping[str, Any]) -> Case:
    """Change a case's description. Stage, status, currency and closing fields are not editable here.

    The values are compared with the stored row (locked), not with `case`,
    which a bound form may already have changed.
    """
    ensure_owner(case, actor)
    with transaction.atomic():
        stored = stored_for_update(case)
        changed = changed_fields(stored, data)
        before = {name: getattr(stored, name) for name in changed}
        apply_fields(stored, data, CASE_FIELDS)
        stored.full_clean()
        if changed:
            stored.save(update_fields=[*changed, "updated_at"])
            changes_record(record=stored, before=before, actor=actor)
    return stored


def case_move(
    *,
    case: Case,
    actor: User,
    move: str,
    reason: str,
    ground: str = "",
    outcome: str = "",
    amount_recovered: Decimal | None = None,
    root_cause: str = "",
    root_cause_kind: str = "",
    lessons_learned: str = "",
    expected_stage: str | None = None,
    expected_status: str | None = None,
) -> Case:
    """Move a case on the ladder and record who, when and why.

    `expected_stage` / `expected_status` are the state the user saw when they
    chose the move (defaulting to the state of `case` as loaded). The write is
    a conditional UPDATE on that state: if someone else moved the case in the
    meantime, or the same form is sent twice, no row matches, nothing is
    written, and StaleCase is raised. MoveRefused is raised for any move the
    ladder refuses. On success the returned case is fresh from the database.
    """
    ensure_owner(case, actor)
    seen = ladder.CaseState(
        stage=expected_stage or case.stage,
        status=expected_status or case.status,
    )
    try:
        transition = ladder.plan_move(seen, move, reason=reason, ground=ground, outcome=outcome)
    except ladder.IllegalMove as refusal:
        raise MoveRefused(gettext(str(refusal))) from None  # the ladder's words, in the reader's language
    if amount_recovered is not None and amount_recovered < 0:
        raise MoveRefused(_("The amount recovered cannot be negative."))
    if root_cause_kind and root_cause_kind not in lessons.ROOT_CAUSES:
        raise MoveRefused(_("Pick a root cause from the list."))
    now = timezone.now()
    changes = _row_changes(
        transition,
        now,
        closing={
            "amount_recovered": amount_recovered,
            "root_cause": root_cause.strip(),
            "root_cause_kind": root_cause_kind,
            "lessons_learned": lessons_learned.strip(),
        },
    )
    with transaction.atomic():
        # An archived case is finished business: it comes back to the lists before it can reopen,
        # so no open case hides in the archive.
        if move == ladder.REOPEN and Case.objects.filter(pk=case.pk, shelved=True).exists():
            raise MoveRefused(_("This case is archived (itself, or with its project or client). Restore it first."))
        # The guard against a concurrent move: only a row still in the state
        # the user saw is changed. A lost race updates nothing and writes no entry.
        won = Case.objects.filter(pk=case.pk, stage=seen.stage, status=seen.status).update(**changes)
        if won != 1:
            raise StaleCase(STALE_MESSAGE)
        moved = Case.objects.get(pk=case.pk)
        entry_append(
            case=moved,
            author=actor,
            kind=TimelineEntry.Kind.STAGE_CHANGE,
            body=transition.reason,
            stage_change=StageChange(
                move=move,
                from_stage=seen.stage,
                to_stage=transition.to_state.stage,
                from_status=seen.status,
                to_status=transition.to_state.status,
                ground=transition.ground,
            ),
            now=now,
        )
        # In the staff queue exactly while open on an escalated rung.
        review_follow_case(case=moved, now=now)
        moved.refresh_from_db()
    return moved


def _row_changes(transition: ladder.Transition, now, *, closing: dict[str, Any]) -> dict[str, Any]:
    """The column values a transition writes on the case row."""
    changes: dict[str, Any] = {
        "stage": transition.to_state.stage,
        "status": transition.to_state.status,
        "updated_at": now,
    }
    if transition.to_state.stage != transition.from_state.stage:
        changes["stage_changed_at"] = now
    if transition.move in (ladder.RESOLVE, ladder.WALK_AWAY):
        changes.update(outcome=transition.outcome, closed_at=now, **closing)
    elif transition.move == ladder.REOPEN:
        changes.update(outcome="", closed_at=None)
    return changes
