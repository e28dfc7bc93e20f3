from disputes.models import Review
from disputes.views.common import clock_counts


def response_clock(request) -> dict:
    """Counts of open cases with an overdue or due-soon concern, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts() -> dict:
        return clock_counts(request)

    def queue() -> dict:
        return {"count": Review.objects.in_queue().count()} if user.is_staff else {"count": 0}

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
