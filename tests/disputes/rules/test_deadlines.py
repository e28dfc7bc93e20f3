"""Formal-letter deadlines, without a database."""

import datetime as dt

import pytest

from disputes.rules.deadlines import deadline_passes_at, letter_deadline

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
