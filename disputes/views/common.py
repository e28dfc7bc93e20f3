"""Helpers shared by the views: clocks on lists, service refusals on forms, pagination, one-time posts."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone

from disputes.models import Case
from disputes.rules import clock
from disputes.services.submissions import submission_once


def due_soon_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DUE_SOON_HOURS)


def clock_counts(request) -> dict:
    """The user's overdue and due-soon counts, one indexed query on (owner, response_due_at),
    made at most once per request: the navigation bar and the dashboard share it."""
    cached = getattr(request, "_settle_clock_counts", None)
    if cached is None:
        cached = Case.objects.for_owner(request.user).clock_counts(timezone.now(), due_soon_window())
        request._settle_clock_counts = cached
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
        messages.info(request, "That form was already sent; this is what it made. Nothing was added twice.")
    return HttpResponseRedirect(url)


def paginate(request: HttpRequest, queryset, per_page: int | None = None) -> Page:
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
