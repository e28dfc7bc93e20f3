import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from disputes.models import Case


def response_clock(request) -> dict:
    """Counts of open cases with an overdue or due-soon concern, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts() -> dict:
        now = timezone.now()
        soon = now + datetime.timedelta(hours=settings.DUE_SOON_HOURS)
        # One indexed query: (owner, response_due_at).
        return Case.objects.filter(owner=user, response_due_at__lte=soon).aggregate(
            overdue=Count("id", filter=Q(response_due_at__lte=now)),
            due_soon=Count("id", filter=Q(response_due_at__gt=now)),
        )

    def queue() -> dict:
        from disputes.models import Review

        return {"count": Review.objects.waiting().count()} if user.is_staff else {"count": 0}

    # Lazy: pages that never show the navigation bar run no query.
    return {"clock_counts": _Lazy(counts), "review_queue": _Lazy(queue)}


class _Lazy:
    def __init__(self, load):
        self._load = load
        self._value = None

    def __getitem__(self, key):
        if self._value is None:
            self._value = self._load()
        return self._value[key]
