from disputes.views.common import clock_counts


def response_clock(request) -> dict:
    """The navigation bar's counts (`nav.overdue`, `nav.due_soon`, and for staff `nav.queue`, the
    review queue). Lazy: pages that never show the bar run no query; the others run one for all three."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": _Lazy(lambda: clock_counts(request))}


class _Lazy:
    def __init__(self, load):
        self._load = load
        self._value = None

    def __getitem__(self, key):
        if self._value is None:
            self._value = self._load()
        return self._value[key]
