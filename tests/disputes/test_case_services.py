import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from disputes.models import Case, TimelineEntry
from disputes.services.cases import MoveRefused, StaleCase, case_move, case_open, case_update
from disputes.services.common import NotYours
from tests.factories import CaseFactory, ProjectFactory, UserFactory
from tests.services import require_postgres


def stage_entries(case):
    return list(TimelineEntry.objects.filter(case=case, kind=TimelineEntry.Kind.STAGE_CHANGE).order_by("id"))


@pytest.mark.django_db
class TestCaseOpen:
    def test_opens_on_direct_talk_with_an_opening_entry(self, owner):
        project = ProjectFactory(client__owner=owner, currency="EUR")
        case = case_open(
            owner=owner,
            project=project,
            data={"title": "Unpaid", "kind": "billing", "amount_in_dispute": Decimal("12.50")},
        )
        assert (case.stage, case.status, case.currency) == ("direct_talk", "open", "EUR")
        assert case.client_id == project.client_id
        [entry] = stage_entries(case)
        assert entry.move == "opened" and entry.to_stage == "direct_talk" and entry.author == owner

    def test_refuses_a_project_of_another_user(self, owner, outsider):
        project = ProjectFactory(client__owner=outsider)
        with pytest.raises(NotYours):
            case_open(owner=owner, project=project, data={"title": "x", "kind": "billing"})
        assert not Case.objects.exists()

    def test_a_case_is_always_in_its_projects_currency(self, owner):
        project = ProjectFactory(client__owner=owner, currency="JPY")
        with pytest.raises(TypeError):
            case_open(owner=owner, project=project, data={"title": "x", "kind": "billing", "currency": "USD"})
        case = case_open(owner=owner, project=project, data={"title": "x", "kind": "billing"})
        assert case.currency == "JPY"

    def test_update_cannot_touch_stage_status_or_currency(self, case):
        for field, value in (("stage", "legal"), ("status", "resolved"), ("currency", "EUR")):
            with pytest.raises(TypeError):
                case_update(case=case, actor=case.owner, data={field: value})
        case.refresh_from_db()
        assert (case.stage, case.status, case.currency) == ("direct_talk", "open", "USD")

    def test_update_checks_ownership_itself(self, case, outsider):
        with pytest.raises(NotYours):
            case_update(case=case, actor=outsider, data={"title": "Mine now"})
        case.refresh_from_db()
        assert case.title != "Mine now"

    def test_update_compares_with_the_stored_row_not_the_instance(self, case):
        # What a bound ModelForm does before the view calls the service: the instance already holds the new title.
        case.title = "New title"
        updated = case_update(case=case, actor=case.owner, data={"title": "New title"})
        assert Case.objects.get(pk=case.pk).title == "New title" == updated.title

    def test_update_after_a_lost_race_keeps_the_other_writers_fields(self, case):
        stale = Case.objects.get(pk=case.pk)
        case_update(case=case, actor=case.owner, data={"client_wants": "A refund"})
        # The stale copy changes another field: the stored row keeps what the first writer saved.
        case_update(case=stale, actor=case.owner, data={"title": "Renamed"})
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.title, fresh.client_wants) == ("Renamed", "A refund")


@pytest.mark.django_db
class TestCaseMove:
    def test_escalate_moves_one_rung_and_records_who_when_why(self, case, owner):
        with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False):
            moved = case_move(case=case, actor=owner, move="escalate", reason="No answer for a week.")
        assert moved.stage == "reminders" and moved.status == "open"
        assert moved.stage_changed_at.isoformat() == "2026-03-01T10:00:00+00:00"
        [entry] = stage_entries(case)
        assert (entry.from_stage, entry.to_stage, entry.move) == ("direct_talk", "reminders", "escalate")
        assert entry.body == "No answer for a week."
        assert entry.author == owner
        assert entry.happened_at == entry.recorded_at == moved.stage_changed_at

    def test_fast_track_records_its_ground(self, case, owner):
        moved = case_move(case=case, actor=owner, move="fast_track", reason="Threatening e-mails.", ground="conduct")
        assert moved.stage == "platform_support"
        assert stage_entries(case)[0].ground == "conduct"

    def test_resolve_closes_with_outcome_and_lessons(self, case, owner):
        moved = case_move(
            case=case,
            actor=owner,
            move="resolve",
            reason="Client paid.",
            outcome="partial_payment",
            amount_recovered=Decimal("100.00"),
            root_cause="No prepayment.",
            lessons_learned="Ask for 50% up front.",
        )
        assert moved.status == "resolved" and moved.outcome == "partial_payment"
        assert moved.amount_recovered == Decimal("100.00")
        assert moved.lessons_learned == "Ask for 50% up front." and moved.closed_at is not None

    def test_reopen_clears_the_outcome_and_keeps_the_rung(self, case, owner):
        case_move(case=case, actor=owner, move="escalate", reason="a")
        closed = case_move(case=Case.objects.get(pk=case.pk), actor=owner, move="walk_away", reason="b")
        assert closed.outcome == "written_off"
        reopened = case_move(case=closed, actor=owner, move="reopen", reason="Client wrote back.")
        assert (reopened.stage, reopened.status, reopened.outcome, reopened.closed_at) == (
            "reminders",
            "open",
            "",
            None,
        )

    def test_an_illegal_move_changes_nothing(self, case, owner):
        with pytest.raises(MoveRefused):
            case_move(case=case, actor=owner, move="reopen", reason="x")
        with pytest.raises(MoveRefused):
            case_move(case=case, actor=owner, move="escalate", reason="")
        case.refresh_from_db()
        assert (case.stage, case.status) == ("direct_talk", "open")
        assert stage_entries(case) == []

    def test_a_move_by_another_user_is_refused(self, case, outsider):
        with pytest.raises(NotYours):
            case_move(case=case, actor=outsider, move="escalate", reason="mine now")
        case.refresh_from_db()
        assert case.stage == "direct_talk"

    def test_repeating_the_same_move_does_not_move_twice(self, case, owner):
        # The same form sent twice: both carry the state the user saw.
        case_move(case=case, actor=owner, move="escalate", reason="a", expected_stage="direct_talk")
        with pytest.raises(StaleCase):
            case_move(case=case, actor=owner, move="escalate", reason="a", expected_stage="direct_talk")
        case.refresh_from_db()
        assert case.stage == "reminders"
        assert len(stage_entries(case)) == 1

    def test_a_lost_race_changes_nothing(self, case, owner):
        stale_copy = Case.objects.get(pk=case.pk)
        # Someone else moves the case after our copy was loaded.
        case_move(case=case, actor=owner, move="fast_track", reason="abuse", ground="conduct")
        with pytest.raises(StaleCase):
            case_move(case=stale_copy, actor=owner, move="escalate", reason="late click")
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.stage == "platform_support"
        assert [e.move for e in stage_entries(case)] == ["fast_track"]

    def test_a_negative_recovered_amount_is_refused(self, case, owner):
        with pytest.raises(MoveRefused):
            case_move(
                case=case,
                actor=owner,
                move="resolve",
                reason="x",
                outcome="refund",
                amount_recovered=Decimal("-1"),
            )
        case.refresh_from_db()
        assert case.status == "open"


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_on_postgres_let_exactly_one_win():
    require_postgres()
    user = UserFactory()
    case = CaseFactory(project__client__owner=user)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def attempt():
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait()
            case_move(case=mine, actor=user, move="escalate", reason="race")
            results.append("won")
        except StaleCase:
            results.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1 and results.count("lost") == 7
    case.refresh_from_db()
    assert case.stage == "reminders"
    assert TimelineEntry.objects.filter(case=case, kind="stage_change").count() == 1
