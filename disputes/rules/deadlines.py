"""Formal-letter deadlines: the calendar date a letter gives, and the moment it passes.

Pure Python, no ORM. A payment demand asks for payment within a number of
days of the date it is sent; the deadline is a calendar date, and it has
passed at the end of that day where the freelancer is.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def letter_deadline(sent_on: dt.date, days: int) -> dt.date:
    """The calendar date by which a formal letter asks for payment: sent + `days`."""
    return sent_on + dt.timedelta(days=days)


def deadline_passes_at(deadline: dt.date, time_zone: str) -> dt.datetime:
    """The moment a letter's deadline has passed: the end of that day where the freelancer is.

    Midnight is taken in the zone, then converted to UTC, so a deadline across
    a daylight-saving change still ends at the local midnight.
    """
    local_midnight = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(time_zone))
    return local_midnight.astimezone(UTC)


# Reminders: on the day a payment falls due, three days later, a week later.
REMINDER_OFFSETS_DAYS = (0, 3, 7)


def reminder_dates(due: dt.date, today: dt.date) -> list[tuple[dt.date, bool]]:
    """The suggested days to send a payment reminder for something due on `due`, each with
    whether it is still ahead (today counts as ahead)."""
    return [(due + dt.timedelta(days=days), due + dt.timedelta(days=days) >= today) for days in REMINDER_OFFSETS_DAYS]
