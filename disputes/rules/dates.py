"""The range of dates Settle accepts from people.

A dispute is about work done in living memory: a date before 1990 or after
2100 is a typing mistake, and a year like 0001 typed east of UTC would not
even survive conversion to UTC. Every date and date-time a person enters is
checked against this range, by the forms and again by the services.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST.year} and {LATEST.year}."


def in_range(value: dt.date | dt.datetime) -> bool:
    """Whether a date (or the calendar day of a date-time, as typed) lies in the accepted range."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST
