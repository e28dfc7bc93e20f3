"""Formal-letter and outside deadlines, without a database."""

import datetime as dt

import pytest

from disputes.rules.deadlines import (
    MISSED,
    WARN_24,
    WARN_48,
    deadline_passes_at,
    deadline_state,
    due_from_days,
    due_problem,
    letter_deadline,
    warning_due,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("sent", "days", "deadline"),
    [
        (dt.date(2026, 3, 10), 7, dt.date(2026, 3, 17)),
        (dt.date(2026, 1, 28), 7, dt.date(2026, 2, 4)),  # across a month end
        (dt.date(2028, 2, 25), 7, dt.date(2028, 3, 3)),  # across 29 February
        (dt.date(2026, 12, 28), 7, dt.date(2027, 1, 4)),  # across a year end
    ],
)
def test_the_deadline_is_the_sending_day_plus_the_days(sent, days, deadline):
    assert letter_deadline(sent, days) == deadline


@pytest.mark.parametrize(
    ("zone", "passes"),
    [
        # The end of 12 March where the freelancer is, told in UTC.
        ("UTC", dt.datetime(2026, 3, 13, 0, 0, tzinfo=UTC)),
        ("Asia/Tokyo", dt.datetime(2026, 3, 12, 15, 0, tzinfo=UTC)),
        # New York springs forward on 8 March: on 13 March midnight is 04:00 UTC (EDT), not 05:00 (EST).
        ("America/New_York", dt.datetime(2026, 3, 13, 4, 0, tzinfo=UTC)),
        ("Europe/Berlin", dt.datetime(2026, 3, 12, 23, 0, tzinfo=UTC)),
    ],
)
def test_the_deadline_passes_at_local_midnight_after_it(zone, passes):
    assert deadline_passes_at(dt.date(2026, 3, 12), zone) == passes


def test_a_deadline_on_the_night_clocks_fall_back_still_ends_at_local_midnight():
    # Berlin falls back at 03:00 on 25 October 2026; the day after 24 October starts at 22:00 UTC (CEST).
    assert deadline_passes_at(dt.date(2026, 10, 24), "Europe/Berlin") == dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    # The day after 25 October starts at 23:00 UTC (CET): that day had 25 hours.
    assert deadline_passes_at(dt.date(2026, 10, 25), "Europe/Berlin") == dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


# --- Outside deadlines: which notice is due, and which dates are refused ---------------------
DUE = dt.datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def _notice(hours_before: float, **sent) -> str | None:
    flags = {"warned_48": False, "warned_24": False, "missed": False, **sent}
    return warning_due(DUE, DUE - dt.timedelta(hours=hours_before), **flags)


def test_nothing_is_due_more_than_48_hours_ahead():
    assert _notice(48.01) is None


def test_the_48_hour_warning_opens_at_48_hours_and_is_sent_once():
    assert _notice(48) == WARN_48
    assert _notice(30) == WARN_48
    assert _notice(30, warned_48=True) is None


def test_the_24_hour_warning_follows_the_48_hour_one():
    assert _notice(24, warned_48=True) == WARN_24
    assert _notice(1, warned_48=True, warned_24=True) is None


def test_a_deadline_first_seen_inside_24_hours_gets_only_the_24_hour_warning():
    assert _notice(20) == WARN_24
    # ...and no late 48-hour one once the 24-hour warning went out.
    assert _notice(20, warned_24=True) is None


def test_a_passed_deadline_is_flagged_once_whatever_was_sent_before():
    assert _notice(0) == MISSED
    assert _notice(-5) == MISSED
    assert _notice(-5, warned_48=True, warned_24=True) == MISSED
    assert _notice(-5, missed=True) is None


@pytest.mark.parametrize(
    ("hours_before", "state"), [(-1, "missed"), (0, "missed"), (1, "due_soon"), (48, "due_soon"), (48.5, "upcoming")]
)
def test_the_board_state_of_a_deadline(hours_before, state):
    assert deadline_state(DUE, DUE - dt.timedelta(hours=hours_before)) == state


def test_past_and_far_away_due_times_are_refused_in_words():
    now = DUE
    assert "already passed" in due_problem(now, now)
    assert "already passed" in due_problem(now - dt.timedelta(minutes=1), now)
    assert "three years" in due_problem(now + dt.timedelta(days=3 * 366 + 1), now)
    assert due_problem(now + dt.timedelta(minutes=1), now) is None
    assert due_problem(now + dt.timedelta(days=3 * 366), now) is None


def test_a_deadline_in_days_ends_at_the_end_of_the_last_day_where_the_freelancer_is():
    # 7 days from 23 March 2026 is 30 March; Berlin moves to summer time on 29 March (UTC+2).
    assert due_from_days(dt.date(2026, 3, 23), 7, "Europe/Berlin") == dt.datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
    assert due_from_days(dt.date(2026, 3, 23), 7, "UTC") == dt.datetime(2026, 3, 31, 0, 0, tzinfo=UTC)
