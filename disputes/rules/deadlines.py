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


# Outside deadlines: what a platform, a card network, a mediator or a court gives the parties.
# The sweep warns twice before one and flags it once when it passes.
WARN_48 = "48h"
WARN_24 = "24h"
MISSED = "missed"
WARNING_LEADS = {WARN_48: dt.timedelta(hours=48), WARN_24: dt.timedelta(hours=24)}
# "Due soon" on the board and the feed: inside the first warning's lead.
DUE_SOON = WARNING_LEADS[WARN_48]
# A deadline further ahead than this is almost certainly a typo (2062 for 2026).
LONGEST_AHEAD = dt.timedelta(days=3 * 366)


def warning_due(due_at: dt.datetime, now: dt.datetime, *, warned_48: bool, warned_24: bool, missed: bool) -> str | None:
    """The one notice a deadline needs at `now`, or None: MISSED once it has passed, else WARN_24
    inside 24 hours, else WARN_48 inside 48 hours; each once. Only the most urgent is due: a
    deadline first seen 20 hours ahead gets the 24-hour warning and never a late 48-hour one."""
    if now >= due_at:
        return None if missed else MISSED
    if now >= due_at - WARNING_LEADS[WARN_24]:
        return None if warned_24 or missed else WARN_24
    if now >= due_at - WARNING_LEADS[WARN_48]:
        return None if warned_48 or warned_24 or missed else WARN_48
    return None


def deadline_state(due_at: dt.datetime, now: dt.datetime) -> str:
    """How an open deadline stands: "missed", "due_soon" (inside 48 hours) or "upcoming"."""
    if now >= due_at:
        return "missed"
    return "due_soon" if due_at - now <= DUE_SOON else "upcoming"


def due_problem(due_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a new or moved deadline cannot be recorded, in words for the form, or None."""
    if due_at <= now:
        return "This moment has already passed. An outside deadline is recorded before it falls due."
    if due_at - now > LONGEST_AHEAD:
        return "That is more than three years away. Check the year."
    return None


def due_from_days(start: dt.date, days: int, time_zone: str) -> dt.datetime:
    """A deadline given in days ("answer within 7 days"): the end of the last day where the
    freelancer is, counted from `start` (the day the notice arrived)."""
    return deadline_passes_at(start + dt.timedelta(days=days), time_zone)
