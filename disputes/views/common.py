import datetime
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.utils import timezone

from disputes import ladder


class _WrongMethod(Exception):
    pass


def allow_methods(*methods: str):
    """Like Django's require_http_methods, but for views that take object ids.

    A request with a method the view does not take still goes through the
    view's loaders first, so someone else's object is 404 whatever the method
    (never a 405 that would confirm nothing, but also never a different
    answer). Only once every object has loaded (`owned_or_404(final=True)`)
    is the request refused with 405, before the view does anything else.
    """
    allowed = {method.upper() for method in methods}
    if "GET" in allowed:
        allowed.add("HEAD")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in allowed:
                return view(request, *args, **kwargs)
            request.settle_wrong_method = True
            try:
                view(request, *args, **kwargs)
            except _WrongMethod:
                return HttpResponseNotAllowed(sorted(allowed))
            raise ImproperlyConfigured(f"{view.__name__} must load its objects with owned_or_404 first.")

        return wrapped

    return decorator


def owned_or_404(request: HttpRequest, queryset, *, final: bool = True, **lookup):
    """Fetch one object from an already owner-filtered queryset, or 404.

    `final` marks the last object a view loads: after it, a request with a
    method the view does not take is refused (see `allow_methods`).
    """
    obj = get_object_or_404(queryset, **lookup)
    if final and getattr(request, "settle_wrong_method", False):
        raise _WrongMethod
    return obj


def due_soon_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DUE_SOON_HOURS)


def attach_clocks(cases, now: datetime.datetime | None = None) -> None:
    """Give each case its response clock (`case.clock`), computed in Python, no query."""
    now = now or timezone.now()
    for case in cases:
        case.clock = ladder.clock_state(case.response_due_at, now, due_soon=due_soon_window())


def form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field, or on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def paginate(request: HttpRequest, queryset, per_page: int | None = None) -> Page:
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
