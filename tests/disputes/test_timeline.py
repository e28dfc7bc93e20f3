import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes.models import AppendOnlyError, TimelineEntry
from disputes.services.common import NotYours
from disputes.services.timeline import entry_add, entry_correct
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_an_entry_keeps_when_it_happened_and_when_it_was_recorded(case, owner):
    with time_machine.travel("2026-05-05 12:00:00+00:00", tick=False):
        said = timezone.now() - datetime.timedelta(days=2)
        entry = entry_add(
            case=case, author=owner, kind="message_in", channel="phone", body="Call me.", happened_at=said
        )
        assert entry.recorded_at == timezone.now()
    assert entry.happened_at == said
    assert entry.recorded_later


def test_happened_at_defaults_to_now(case, owner):
    with time_machine.travel("2026-05-05 12:00:00+00:00", tick=False):
        entry = entry_add(case=case, author=owner, kind="note", body="Thinking.")
    assert entry.happened_at == entry.recorded_at


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "message_in", "body": "hi", "channel": ""}, "channel"),
        ({"kind": "payment", "body": "", "amount": None}, "amount"),
        ({"kind": "payment", "body": "", "amount": Decimal("0")}, "amount"),
        ({"kind": "note", "body": "x", "amount": Decimal("5")}, "amount"),
        ({"kind": "note", "body": "   "}, "body"),
        ({"kind": "stage_change", "body": "sneaky"}, "kind"),
        ({"kind": "evidence", "body": "sneaky"}, "kind"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(case, owner, kwargs, field):
    with pytest.raises(ValidationError) as error:
        entry_add(case=case, author=owner, **kwargs)
    assert field in error.value.message_dict
    assert not TimelineEntry.objects.filter(case=case).exists()


def test_an_entry_in_the_future_is_refused(case, owner):
    with pytest.raises(ValidationError):
        entry_add(
            case=case, author=owner, kind="note", body="x", happened_at=timezone.now() + datetime.timedelta(hours=1)
        )


def test_another_users_case_is_refused(case, outsider):
    with pytest.raises(NotYours):
        entry_add(case=case, author=outsider, kind="note", body="x")


def test_entries_cannot_be_changed_or_deleted():
    entry = EntryFactory()
    entry.body = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.body == "Where is my logo?"


def test_a_correction_points_at_the_original_which_stays(case, owner):
    original = entry_add(case=case, author=owner, kind="message_in", channel="email", body="Pay 100")
    correction = entry_correct(original=original, author=owner, body="Pay 1000", channel="email")
    original.refresh_from_db()
    assert original.body == "Pay 100"
    assert correction.corrects == original
    assert correction.kind == original.kind
    assert correction.happened_at == original.happened_at


def test_an_entry_is_corrected_once_then_the_correction_is_corrected(case, owner):
    original = entry_add(case=case, author=owner, kind="note", body="v1")
    first = entry_correct(original=original, author=owner, body="v2")
    with pytest.raises(ValidationError):
        entry_correct(original=original, author=owner, body="v2 again")
    second = entry_correct(original=first, author=owner, body="v3")
    assert second.corrects == first
    assert TimelineEntry.objects.filter(case=case).count() == 3


def test_stage_changes_cannot_be_corrected(case, owner):
    from disputes.services.cases import case_move

    case_move(case=case, actor=owner, move="escalate", reason="a")
    stage_entry = TimelineEntry.objects.get(case=case, kind="stage_change")
    with pytest.raises(ValidationError):
        entry_correct(original=stage_entry, author=owner, body="never happened")
