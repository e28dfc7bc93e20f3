"""Helpers shared by the views: clocks on lists, service refusals on forms, pagination, one-time posts."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.rules import clock
from disputes.selectors_nav import nav_counts
from disputes.services.submissions import submission_once


def due_soon_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DUE_SOON_HOURS)


def clock_counts(request) -> dict:
    """The navigation bar's counts (selectors_nav.nav_counts: overdue, due soon, and the review queue
    for staff), one query, made at most once per request: the bar and the dashboard share it."""
    cached = getattr(request, "_settle_nav_counts", None)
    if cached is None:
        cached = nav_counts(request.user, timezone.now(), due_soon_window())
        request._settle_nav_counts = cached
    return cached


def attach_clocks(cases, now: datetime.datetime | None = None) -> None:
    """Give each case its response clock (`case.clock`), computed in Python, no query."""
    now = now or timezone.now()
    for case in cases:
        case.clock = clock.clock_state(case.response_due_at, now, due_soon=due_soon_window())


def form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field, or on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def refusal(error: ValidationError) -> str:
    """A service's refusal as one sentence for a message banner."""
    return " ".join(error.messages)


def create_once(request: HttpRequest, run: Callable[[], str], *, success: str) -> HttpResponseRedirect:
    """Create something once per submitted form, then redirect to it.

    `run` does the creating and returns the URL to show. A form sent again
    with the same `submission_key` (a double click, a resend) creates
    nothing and redirects to what the first one made. A ValidationError from
    `run` passes through, with nothing kept.
    """
    url, created = submission_once(user=request.user, key=request.POST.get("submission_key"), run=run)
    if created:
        messages.success(request, success)
    else:
        messages.info(request, _("That form was already sent; this is what it made. Nothing was added twice."))
    return HttpResponseRedirect(url)


def paginate(request: HttpRequest, queryset, per_page: int | None = None) -> Page:
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


COUNT_CAP = 1000


class CappedCount(int):
    """A count that stopped at COUNT_CAP + 1 rows: shown as "1,000+" rather than read in full."""

    @property
    def capped(self) -> bool:
        return self > COUNT_CAP

    def __str__(self) -> str:
        return f"{COUNT_CAP:,}+" if self.capped else f"{int(self):,}"


def count_capped(queryset) -> CappedCount:
    """How many rows, reading at most COUNT_CAP + 1 of them: a list's cost never grows with its size."""
    return CappedCount(queryset.order_by().values("pk")[: COUNT_CAP + 1].count())


class OpenPage:
    """One page of a list without reading the whole list: `per_page + 1` rows tell whether a next page exists.

    Quacks like Django's Page for includes/pagination.html; `paginator.count` is a CappedCount and
    `num_pages` is known only while the count is under the cap.
    """

    def __init__(self, queryset, number: int, per_page: int, count: CappedCount):
        rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
        self.object_list = rows[:per_page]
        self.number = number
        self._has_next = len(rows) > per_page
        self.paginator = self
        self.count = count
        self.num_pages = None if count.capped else max(1, -(-int(count) // per_page))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self._has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def paginate_open(request: HttpRequest, queryset, count: CappedCount, per_page: int | None = None) -> OpenPage:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
    return OpenPage(queryset, number, per_page or settings.PAGE_SIZE, count)
