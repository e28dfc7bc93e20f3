"""Opening cases and moving them on the escalation ladder.

Stage and status change here and nowhere else. Each move is checked by
`disputes.ladder`, then written together with its timeline entry in one
transaction.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from disputes import ladder
from disputes.models import Case, Project, TimelineEntry
from disputes.services.common import apply_fields, ensure_owner
from disputes.services.concerns import concerns_sync
from disputes.services.review import review_follow_case

CASE_FIELDS = (
    "title",
    "kind",
    "amount_in_dispute",
    "currency",
    "client_complaint",
    "client_wants",
    "offered_solutions",
)
OPENED = "opened"


class StaleCase(ladder.IllegalMove):
    """The case changed between the page being shown and the move being sent."""


@transaction.atomic
def case_open(*, owner: User, project: Project, data: Mapping[str, Any]) -> Case:
    """Open a case on a project, on the direct-talk rung."""
    ensure_owner(project, owner)
    now = timezone.now()
    case = Case(
        owner=owner,
        project=project,
        client_id=project.client_id,
        stage=Case.Stage.DIRECT_TALK,
        status=Case.Status.OPEN,
        opened_at=now,
        stage_changed_at=now,
    )
    apply_fields(case, data, CASE_FIELDS)
    case.full_clean()
    case.save()
    TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.STAGE_CHANGE,
        body="Case opened.",
        happened_at=now,
        recorded_at=now,
        author=owner,
        move=OPENED,
        to_stage=case.stage,
        to_status=case.status,
    )
    return case


def case_update(*, case: Case, data: Mapping[str, Any]) -> Case:
    """Change a case's description. Stage, status and closing fields are not editable here."""
    apply_fields(case, data, CASE_FIELDS)
    case.full_clean()
    case.save(update_fields=[*data.keys(), "updated_at"])
    return case


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
    lessons_learned: str = "",
    expected_stage: str | None = None,
    expected_status: str | None = None,
) -> Case:
    """Move a case on the ladder and record who, when and why.

    `expected_stage` / `expected_status` are the state the user saw when they
    chose the move (defaulting to the state of `case` as loaded). The write is
    a conditional UPDATE on that state: if someone else moved the case in the
    meantime, or the same form is sent twice, no row matches, nothing is
    written, and StaleCase is raised. IllegalMove is raised for any move the
    ladder refuses. On success the returned case is fresh from the database.
    """
    ensure_owner(case, actor)
    seen = ladder.CaseState(
        stage=expected_stage or case.stage,
        status=expected_status or case.status,
    )
    transition = ladder.plan_move(seen, move, reason=reason, ground=ground, outcome=outcome)
    if amount_recovered is not None and amount_recovered < 0:
        raise ladder.IllegalMove("The amount recovered cannot be negative.")
    now = timezone.now()
    changes = _row_changes(
        transition,
        now,
        closing={
            "amount_recovered": amount_recovered,
            "root_cause": root_cause.strip(),
            "lessons_learned": lessons_learned.strip(),
        },
    )
    with transaction.atomic():
        # The guard against a concurrent move: only a row still in the state
        # the user saw is changed. A lost race updates nothing and writes no entry.
        won = Case.objects.filter(pk=case.pk, stage=seen.stage, status=seen.status).update(**changes)
        if won != 1:
            raise StaleCase(
                "This case was changed since you opened the page, so nothing was changed. "
                "Look at its current stage and try again."
            )
        TimelineEntry.objects.create(
            case_id=case.pk,
            kind=TimelineEntry.Kind.STAGE_CHANGE,
            body=transition.reason,
            happened_at=now,
            recorded_at=now,
            author=actor,
            move=move,
            from_stage=seen.stage,
            to_stage=transition.to_state.stage,
            from_status=seen.status,
            to_status=transition.to_state.status,
            ground=transition.ground,
        )
        if transition.to_state.status != seen.status:
            # Closing stops the clock; reopening starts it again.
            concerns_sync(case=case)
        moved = Case.objects.get(pk=case.pk)
        # Reaching platform support, mediation or legal puts the case in the staff queue;
        # closing it takes it out.
        review_follow_case(case=moved, now=now)
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
