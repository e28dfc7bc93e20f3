"""The ladder, tested without a database: every move from every state."""

import itertools

import pytest

from disputes.rules import ladder
from disputes.rules.ladder import CaseState, IllegalMove, plan_move

STAGES = ["direct_talk", "reminders", "formal_letter", "platform_support", "mediation", "legal"]
NEXT = dict(itertools.pairwise(STAGES))


def expected_target(stage: str, status: str, move: str) -> tuple[str, str] | None:
    """Written out from the rules in plain words, independently of the module."""
    closed = status in ("resolved", "walked_away")
    if move == "reopen":
        return (stage, "open") if closed else None
    if closed:
        return None
    if move == "escalate":
        return (NEXT[stage], "open") if stage in NEXT else None
    if move == "fast_track":
        return ("platform_support", "open") if stage in ("direct_talk", "reminders") else None
    if move == "re_engage":
        return ("direct_talk", "open") if stage != "direct_talk" else None
    if move == "resolve":
        return (stage, "resolved")
    if move == "walk_away":
        return (stage, "walked_away")
    raise AssertionError(move)


def details(move: str) -> dict:
    return {
        "reason": "Client stopped answering.",
        "ground": "fraud" if move == "fast_track" else "",
        "outcome": {"resolve": "paid_in_full", "walk_away": "written_off"}.get(move, ""),
    }


ALL = list(itertools.product(STAGES, ["open", "resolved", "walked_away"], ladder.MOVES))


def test_the_ladder_has_six_rungs_in_order():
    assert list(ladder.STAGES) == STAGES
    assert [rung.key for rung in ladder.RUNGS] == STAGES
    assert all(rung.checklist and rung.meaning for rung in ladder.RUNGS)


@pytest.mark.parametrize(("stage", "status", "move"), ALL)
def test_every_move_from_every_state_matches_the_rules(stage, status, move):
    expected = expected_target(stage, status, move)
    state = CaseState(stage, status)
    if expected is None:
        with pytest.raises(IllegalMove):
            plan_move(state, move, **details(move))
        assert move not in ladder.available_moves(state)
    else:
        transition = plan_move(state, move, **details(move))
        assert (transition.to_state.stage, transition.to_state.status) == expected
        assert transition.from_state == state
        assert move in ladder.available_moves(state)


# The moves each state offers, written out by hand: a change to the ladder's rules shows up here.
OFFERED = [
    ("direct_talk", "open", ["escalate", "fast_track", "resolve", "walk_away"]),
    ("reminders", "open", ["escalate", "fast_track", "re_engage", "resolve", "walk_away"]),
    ("formal_letter", "open", ["escalate", "re_engage", "resolve", "walk_away"]),
    ("platform_support", "open", ["escalate", "re_engage", "resolve", "walk_away"]),
    ("mediation", "open", ["escalate", "re_engage", "resolve", "walk_away"]),
    ("legal", "open", ["re_engage", "resolve", "walk_away"]),
    *((stage, "resolved", ["reopen"]) for stage in STAGES),
    *((stage, "walked_away", ["reopen"]) for stage in STAGES),
]


@pytest.mark.parametrize(("stage", "status", "moves"), OFFERED)
def test_each_state_offers_exactly_these_moves(stage, status, moves):
    assert ladder.available_moves(CaseState(stage, status)) == moves


def test_thirty_six_of_the_hundred_and_eight_combinations_are_allowed():
    allowed = sum(move in ladder.available_moves(CaseState(stage, status)) for stage, status, move in ALL)
    assert (len(ALL), allowed) == (108, sum(len(moves) for _, _, moves in OFFERED)) == (108, 36)


@pytest.mark.parametrize("move", ladder.MOVES)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_every_move_needs_a_reason(move, reason):
    state = CaseState("reminders", "resolved" if move == "reopen" else "open")
    with pytest.raises(IllegalMove, match="reason"):
        plan_move(state, move, **{**details(move), "reason": reason})


def test_reason_is_kept_stripped():
    transition = plan_move(CaseState("direct_talk", "open"), "escalate", reason="  no reply for a week \n")
    assert transition.reason == "no reply for a week"


@pytest.mark.parametrize("ground", ["", "angry", "quality"])
def test_fast_track_needs_a_recognised_ground(ground):
    with pytest.raises(IllegalMove, match="ground"):
        plan_move(CaseState("direct_talk", "open"), "fast_track", reason="threats", ground=ground)


@pytest.mark.parametrize("ground", ["conduct", "fraud", "policy_breach"])
def test_fast_track_accepts_each_ground(ground):
    transition = plan_move(CaseState("reminders", "open"), "fast_track", reason="threats", ground=ground)
    assert transition.to_state == CaseState("platform_support", "open")
    assert transition.ground == ground


def test_a_ground_on_an_ordinary_move_is_refused():
    with pytest.raises(IllegalMove):
        plan_move(CaseState("direct_talk", "open"), "escalate", reason="x", ground="fraud")


@pytest.mark.parametrize("outcome", ["", "written_off", "made_up"])
def test_resolve_needs_a_resolved_outcome(outcome):
    with pytest.raises(IllegalMove):
        plan_move(CaseState("formal_letter", "open"), "resolve", reason="paid", outcome=outcome)


@pytest.mark.parametrize("outcome", ladder.RESOLVED_OUTCOMES)
def test_resolve_accepts_every_resolved_outcome(outcome):
    assert plan_move(CaseState("legal", "open"), "resolve", reason="done", outcome=outcome).outcome == outcome


def test_walk_away_writes_the_amount_off():
    transition = plan_move(CaseState("mediation", "open"), "walk_away", reason="not worth it")
    assert transition.outcome == "written_off"
    with pytest.raises(IllegalMove):
        plan_move(CaseState("mediation", "open"), "walk_away", reason="x", outcome="paid_in_full")


def test_an_outcome_on_a_non_closing_move_is_refused():
    with pytest.raises(IllegalMove):
        plan_move(CaseState("direct_talk", "open"), "escalate", reason="x", outcome="paid_in_full")


@pytest.mark.parametrize(
    "state",
    [CaseState("nowhere", "open"), CaseState("direct_talk", "archived")],
)
def test_unknown_states_are_refused(state):
    with pytest.raises(IllegalMove):
        plan_move(state, "escalate", reason="x")
    assert ladder.available_moves(CaseState("direct_talk", "open"))  # a sane state still has moves


def test_unknown_move_is_refused():
    with pytest.raises(IllegalMove, match="Unknown move"):
        plan_move(CaseState("direct_talk", "open"), "jump_to_legal", reason="x")


def test_available_moves_on_a_fresh_case():
    expected = ["escalate", "fast_track", "resolve", "walk_away"]
    assert ladder.available_moves(CaseState("direct_talk", "open")) == expected


def test_available_moves_on_a_closed_case():
    assert ladder.available_moves(CaseState("legal", "resolved")) == ["reopen"]


def test_model_choices_match_the_ladder():
    from disputes.models import Case

    assert list(Case.Stage.values) == list(ladder.STAGES)
    assert list(Case.Status.values) == list(ladder.STATUSES)
    assert set(Case.Outcome.values) == set(ladder.RESOLVED_OUTCOMES) | set(ladder.WALK_AWAY_OUTCOMES)


@pytest.mark.parametrize("stage", ladder.STAGES)
@pytest.mark.parametrize("status", ladder.STATUSES)
def test_in_review_means_open_and_escalated(stage, status):
    expected = stage in ("platform_support", "mediation", "legal") and status == "open"
    assert ladder.in_review(CaseState(stage=stage, status=status)) is expected
