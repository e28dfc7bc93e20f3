"""The private calendar feed: every open deadline of a user as an iCalendar event with an alarm.

Written with the `icalendar` library (RFC 5545: escaping, folding, UTC times). Each event's UID
names its kind and row, so a calendar that reads the feed again updates the event in place when
a deadline moves, and drops it when the deadline is met (it is no longer in the feed). Times are
in UTC; calendars show them in their own zone.
"""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from disputes.languages import user_language
from disputes.selectors_deadlines import board_items

# A feed holds at most this many deadlines, the soonest first.
FEED_LIMIT = 500
ALARM_BEFORE = datetime.timedelta(hours=24)


def feed_ics(user, now: datetime.datetime) -> bytes:
    """The feed, in the user's language whatever the calendar app's request asks for (it has no session)."""
    with translation.override(user_language(user)):
        return _feed(user, now)


def _feed(user, now: datetime.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Settle//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Settle deadlines"))
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "settle"
    for item in board_items(user, FEED_LIMIT):
        event = Event()
        event.add("uid", f"{item.kind}-{item.pk}@{host}")
        event.add("dtstamp", now)
        # A deadline is a moment: a short event ending at it, so a day view shows it at its time.
        event.add("dtstart", item.due_at - datetime.timedelta(minutes=30))
        event.add("dtend", item.due_at)
        event.add("summary", f"{item.kind_label}: {item.title}")
        who = _("Who owes it: %(who)s") % {"who": item.owed_by}
        event.add("description", f"{item.where}\n{who}\n{settings.SITE_URL}{item.url}")
        event.add("url", f"{settings.SITE_URL}{item.url}")
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Due in 24 hours: %(title)s") % {"title": item.title})
        alarm.add("trigger", -ALARM_BEFORE, parameters={"RELATED": "END"})
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
