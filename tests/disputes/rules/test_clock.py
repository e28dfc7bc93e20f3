"""The response clock's rules, without a database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from disputes.rules.clock import (
    ClockState,
    Message,
    clock_state,
    concerns_of,
    due_at,
    effective_window,
    response_deadline,
)

UTC = dt.UTC
DAY = dt.timedelta(hours=24)
SOON = dt.timedelta(hours=4)
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, tz=UTC) -> dt.datetime:
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=tz)


def incoming(key, when, **kw):
    return Message(key=key, incoming=True, happened_at=when, **kw)


def outgoing(key, when):
    return Message(key=key, incoming=False, happened_at=when)


def test_the_deadline_runs_from_the_oldest_unanswered_message():
    concerns = concerns_of([incoming(1, at(1, 10)), incoming(2, at(1, 15))], window=DAY)
    assert [c.key for c in concerns if c.is_open] == [1, 2]
    assert response_deadline(concerns) == at(2, 10)


def test_a_reply_answers_every_concern_received_before_it_and_no_later_one():
    messages = [incoming(1, at(1, 10)), incoming(2, at(1, 11)), outgoing(3, at(1, 12)), incoming(4, at(1, 13))]
    concerns = {c.key: c for c in concerns_of(messages, window=DAY)}
    assert concerns[1].answered_by == 3 and concerns[2].answered_by == 3
    assert concerns[1].answered_at == at(1, 12)
    assert concerns[4].is_open
    assert response_deadline(concerns.values()) == at(2, 13)


def test_a_reply_at_the_same_moment_answers():
    concerns = concerns_of([incoming(1, at(1, 10)), outgoing(2, at(1, 10))], window=DAY)
    assert not concerns[0].is_open


def test_a_reply_before_the_message_does_not_answer_it():
    concerns = concerns_of([outgoing(1, at(1, 9)), incoming(2, at(1, 10))], window=DAY)
    assert concerns[0].is_open


def test_entries_typed_out_of_order_are_placed_by_when_they_happened():
    # The reply was logged first, the client's earlier message afterwards: still answered.
    typed_order = [outgoing(5, at(1, 12)), incoming(9, at(1, 8))]
    [concern] = concerns_of(typed_order, window=DAY)
    assert concern.answered_by == 5
    # A message logged later but said after the reply stays open.
    [_, late] = concerns_of([*typed_order, incoming(10, at(1, 13))], window=DAY)
    assert late.is_open and late.key == 10


def test_no_answer_needed_stops_the_clock_for_that_message_only():
    concerns = concerns_of([incoming(1, at(1, 10), no_answer_needed=True), incoming(2, at(1, 11))], window=DAY)
    assert [c.is_open for c in concerns] == [False, True]
    assert response_deadline(concerns) == at(2, 11)


def test_no_concerns_no_deadline():
    assert response_deadline(concerns_of([outgoing(1, at(1, 10))], window=DAY)) is None
    assert clock_state(None, at(1, 10), due_soon=SOON).state == ClockState.NONE


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(2, 5, 59), ClockState.DUE),
        (at(2, 6, 1), ClockState.DUE_SOON),
        (at(2, 9, 59), ClockState.DUE_SOON),
        (at(2, 10, 0), ClockState.OVERDUE),  # exactly 24 hours: overdue
        (at(2, 10, 5), ClockState.OVERDUE),
    ],
)
def test_states_and_the_boundary_at_exactly_24_hours(now, state):
    [concern] = concerns_of([incoming(1, at(1, 10))], window=DAY)
    clock = clock_state(concern.due_at, now, due_soon=SOON)
    assert clock.state == state
    if state == ClockState.OVERDUE:
        assert clock.overdue_by == now - at(2, 10)
    else:
        assert clock.remaining == at(2, 10) - now


@pytest.mark.parametrize(
    ("received", "expected_local"),
    [
        # New York springs forward on 8 March 2026: 24 real hours later the wall clock reads 11:00.
        (dt.datetime(2026, 3, 7, 10, 0, tzinfo=NY), dt.datetime(2026, 3, 8, 11, 0)),
        # ... and falls back on 1 November 2026: 09:00.
        (dt.datetime(2026, 10, 31, 10, 0, tzinfo=NY), dt.datetime(2026, 11, 1, 9, 0)),
        # Berlin springs forward on 29 March 2026 and falls back on 25 October 2026.
        (dt.datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN), dt.datetime(2026, 3, 29, 11, 0)),
        (dt.datetime(2026, 10, 24, 10, 0, tzinfo=BERLIN), dt.datetime(2026, 10, 25, 9, 0)),
    ],
)
def test_the_window_is_24_real_hours_across_daylight_saving_changes(received, expected_local):
    due = due_at(received, DAY)
    assert due - received == DAY
    assert (due.astimezone(UTC) - received.astimezone(UTC)).total_seconds() == 24 * 3600
    assert due.astimezone(received.tzinfo).replace(tzinfo=None) == expected_local


def test_a_message_typed_in_local_time_is_due_24_real_hours_later_in_utc():
    # A freelancer in Tokyo (UTC+9, no DST) logs a message received at 08:00 local time on 1 May:
    # that is 23:00 UTC on 30 April, and the answer is due at 23:00 UTC on 1 May (08:00 on 2 May in Tokyo).
    tokyo = ZoneInfo("Asia/Tokyo")
    [concern] = concerns_of([incoming(1, dt.datetime(2026, 5, 1, 8, 0, tzinfo=tokyo))], window=DAY)
    assert concern.received_at == dt.datetime(2026, 4, 30, 23, 0, tzinfo=UTC)
    assert concern.due_at == dt.datetime(2026, 5, 1, 23, 0, tzinfo=UTC)
    assert concern.due_at.tzinfo is UTC  # stored and compared in UTC, whatever zone it was typed in


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        due_at(dt.datetime(2026, 1, 1, 10, 0), DAY)


@pytest.mark.parametrize(("user", "limit", "hours"), [(None, 24, 24), (8, 24, 8), (48, 24, 24), (0, 24, 1)])
def test_a_user_may_choose_a_shorter_window_never_a_longer_one(user, limit, hours):
    assert effective_window(user, limit) == dt.timedelta(hours=hours)


def test_a_shorter_window_moves_the_deadline():
    [concern] = concerns_of([incoming(1, at(1, 10))], window=dt.timedelta(hours=8))
    assert concern.due_at == at(1, 18)
