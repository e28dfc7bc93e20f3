from disputes.views.common import clock_counts


def response_clock(request) -> dict:
    """The navigation bar's counts: open cases with an overdue or due-soon answer, and for staff the
    review queue. Lazy (pages that never show the bar run no query), then one query for all three."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = _Lazy(lambda: clock_counts(request))
    return {"clock_counts": counts, "review_queue": _Lazy(lambda: {"count": clock_counts(request)["queue"]})}


class _Lazy:
    def __init__(self, load):
        self._load = load
        self._value = None

    def __getitem__(self, key):
        if self._value is None:
            self._value = self._load()
        return self._value[key]
