"""One page of a case's timeline: a fixed number of entries, however long the case is.

The timeline pages over its entries that are not corrections ("roots"),
newest page first, by keyset on (happened_at, id), so page 100 costs what
page 1 costs. Each root brings its chain of corrections along. A page shows
its entries oldest first, like the rest of the record, with a link to the
older page above and the newer one below.

The URL says where a page is: nothing (the newest), `before=<id>` (older
than that entry), `after=<id>` (newer than it) or `at=<id>` (a permalink: the
newest page if the entry, or the entry it corrects, is on it; else the page
that ends with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from disputes.models import TimelineEntry
from disputes.prepared import prepared


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]  # every entry on the page, roots and their corrections
    roots: list[TimelineEntry]  # the page's roots, oldest first
    older: int | None  # `before=` for the older page, if there is one
    newer: int | None  # `after=` for the newer page, if there is one

    @property
    def ids(self) -> list[int]:
        return [entry.pk for entry in self.entries]


def _older_than(entry: TimelineEntry, *, inclusive: bool = False) -> Q:
    same = (
        Q(happened_at=entry.happened_at, id__lte=entry.pk)
        if inclusive
        else Q(happened_at=entry.happened_at, id__lt=entry.pk)
    )
    return Q(happened_at__lt=entry.happened_at) | same


def _newer_than(entry: TimelineEntry) -> Q:
    return Q(happened_at__gt=entry.happened_at) | Q(happened_at=entry.happened_at, id__gt=entry.pk)


def _root_of(entries: QuerySet, pk: int) -> TimelineEntry | None:
    """The entry `pk` names, or the one its correction chain starts from (None if not on this case)."""
    plain = entries.select_related(None).only("id", "case", "happened_at", "corrects")
    current = plain.filter(pk=pk).first()
    while current is not None and current.corrects_id:
        current = plain.filter(pk=current.corrects_id).first()
    return current


def _with_corrected(entries: QuerySet) -> QuerySet:
    # Each entry says whether it was corrected (among what this viewer sees), so a page with no
    # corrections needs no second query to look for them.
    return entries.annotate(corrected=Exists(entries.select_related(None).filter(corrects_id=OuterRef("pk"))))


@prepared
def _newest_roots(case_id: int, *, size: int, shared_only: bool):
    """The newest page's roots and one more (is there an older page?): every case page opens on it."""
    entries = TimelineEntry.objects.filter(case_id=case_id)
    if shared_only:
        entries = entries.filter(shared=True)
    return _with_corrected(entries).filter(corrects__isnull=True).order_by("-happened_at", "-id")[: size + 1]


def timeline_page(
    entries: QuerySet, params, *, size: int | None = None, case=None, shared_only: bool = False
) -> TimelinePage:
    """The page of `entries` (a case's, already limited to what the viewer may see) that `params` names.

    With `case`, `entries` must be that case's entries: all of them, or with `shared_only` only the
    shared ones. Its newest page is then read by a prepared query (disputes.prepared)."""
    size = size or settings.TIMELINE_PAGE_SIZE
    cursor_name = next((name for name in ("at", "before", "after") if str(params.get(name, "")).isdigit()), None)
    if cursor_name is None and case is not None:
        chunk = _newest_roots(case.pk, size=size, shared_only=shared_only)
        for entry in chunk:
            entry.case = case
        return _finish(entries, chunk[:size], older=len(chunk) > size, newer=False)
    anchor = _root_of(entries, int(params[cursor_name])) if cursor_name else None
    entries = _with_corrected(entries)
    roots = entries.filter(corrects__isnull=True)
    if cursor_name == "at" and anchor is not None:
        # An entry among the newest page's is shown there, with everything after it.
        newer_count = roots.filter(_newer_than(anchor)).order_by().values("pk")[:size].count()
        if newer_count < size:
            anchor = None
    newest_first = ("-happened_at", "-id")
    if anchor is None:
        chunk = list(roots.order_by(*newest_first)[: size + 1])
    elif cursor_name == "after":
        chunk = list(roots.filter(_newer_than(anchor)).order_by("happened_at", "id")[: size + 1])
        more_newer = len(chunk) > size
        chunk = chunk[:size]
        chunk.reverse()
        return _finish(entries, chunk, older=bool(chunk), newer=more_newer)
    else:
        chunk = list(
            roots.filter(_older_than(anchor, inclusive=cursor_name == "at")).order_by(*newest_first)[: size + 1]
        )
    more_older = len(chunk) > size
    chunk = chunk[:size]
    newer = anchor is not None and bool(chunk) and roots.filter(_newer_than(chunk[0])).exists()
    return _finish(entries, chunk, older=more_older, newer=newer)


def _finish(entries: QuerySet, newest_first: list[TimelineEntry], *, older: bool, newer: bool) -> TimelinePage:
    roots = list(reversed(newest_first))
    page = list(roots)
    # The corrections of these roots, level by level (a correction of a correction is rare).
    level = [root.pk for root in roots if root.corrected]
    if level:
        entries = _with_corrected(entries) if "corrected" not in entries.query.annotations else entries
    while level:
        found = list(entries.filter(corrects_id__in=level).order_by("happened_at", "id"))
        page += found
        level = [entry.pk for entry in found if entry.corrected]
    return TimelinePage(
        entries=page,
        roots=roots,
        older=roots[0].pk if older and roots else None,
        newer=roots[-1].pk if newer and roots else None,
    )
