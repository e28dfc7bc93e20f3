"""CSV exports: the user's cases, and one case's timeline, streamed row by row.

A cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage
return) gets a leading apostrophe, so a client's message can never run as a formula in the
freelancer's spreadsheet. Times are written in the user's zone, with the offset.
"""

import csv
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from disputes.models import Case, TimelineEntry
from disputes.rules import lessons

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CASE_COLUMNS = [
    "id", "title", "client", "project", "kind", "rung", "status", "outcome", "currency", "amount in dispute",
    "amount recovered", "opened at", "closed at", "root cause", "root cause (your words)", "lessons learned",
]  # fmt: skip
ENTRY_COLUMNS = ["sequence", "happened at", "recorded at", "kind", "channel", "author", "amount", "text", "SHA-256"]


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _rows(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe(value) for value in row])


def _when(value, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="minutes") if value else ""


def cases_csv(user, cases) -> Iterator[str]:
    zone = ZoneInfo(user.time_zone)
    kinds, stages = dict(Case.Kind.choices), dict(Case.Stage.choices)
    statuses, outcomes = dict(Case.Status.choices), dict(Case.Outcome.choices)
    rows = (
        [c.pk, c.title, c.client.name, c.project.title, kinds.get(c.kind, c.kind), stages.get(c.stage, c.stage),
         statuses.get(c.status, c.status), outcomes.get(c.outcome, ""), c.currency, c.amount_in_dispute,
         c.amount_recovered, _when(c.opened_at, zone), _when(c.closed_at, zone), lessons.label(c.root_cause_kind),
         c.root_cause, c.lessons_learned]
        for c in cases.select_related("client", "project").order_by("opened_at", "id").iterator(chunk_size=2000)
    )  # fmt: skip
    return _rows(CASE_COLUMNS, rows)


def timeline_csv(user, case: Case) -> Iterator[str]:
    zone = ZoneInfo(user.time_zone)
    kinds, channels = dict(TimelineEntry.Kind.choices), dict(TimelineEntry._meta.get_field("channel").flatchoices)
    entries = case.entries.select_related("author").order_by("sequence").iterator(chunk_size=2000)
    rows = (
        [e.sequence, _when(e.happened_at, zone), _when(e.recorded_at, zone), kinds.get(e.kind, e.kind),
         channels.get(e.channel, e.channel), e.author.display_name, e.amount, e.body, e.entry_sha256]
        for e in entries
    )  # fmt: skip
    return _rows(ENTRY_COLUMNS, rows)
