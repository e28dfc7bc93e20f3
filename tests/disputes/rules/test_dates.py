"""The accepted range of dates, without a database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from disputes.rules.dates import EARLIEST, LATEST, in_range


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (dt.date(1990, 1, 1), True),
        (dt.date(1989, 12, 31), False),
        (dt.date(2100, 12, 31), True),
        (dt.date(2101, 1, 1), False),
        (dt.date(1, 1, 1), False),
        (dt.date(9999, 12, 31), False),
        # A date-time counts by its day as typed, before any conversion to UTC.
        (dt.datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")), False),
        (dt.datetime(2026, 5, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")), True),
    ],
)
def test_in_range(value, ok):
    assert in_range(value) is ok


def test_the_range_is_1990_to_2100():
    assert (EARLIEST.isoformat(), LATEST.isoformat()) == ("1990-01-01", "2100-12-31")
