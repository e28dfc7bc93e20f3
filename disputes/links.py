"""`reverse()` for the links a page writes once per row.

A URL whose arguments are all whole numbers (`/cases/12/evidence/40/`) is the
pattern's text around those numbers. It is found once per pattern, script
prefix and URL configuration by reversing probe numbers, so a list of fifty
rows resolves each pattern once instead of fifty times. A URL without
arguments is kept whole the same way. Anything else (a word
argument, a converter that writes numbers its own way) goes to `reverse()`.
A static file's URL (`asset`) is kept the same way.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Distinct, long and unlikely in a pattern's own text: each must appear exactly once in the probe.
_PROBES = (987654321987, 876543219876, 765432198765, 654321987654)


def link(name: str, *args) -> str:
    """The same string as `reverse(name, args=args)`."""
    if not args:
        return _plain(name, get_script_prefix(), get_urlconf())
    if len(args) <= len(_PROBES) and all(type(arg) is int and arg >= 0 for arg in args):
        pieces = _pieces(name, len(args), get_script_prefix(), get_urlconf())
        if pieces is not None:
            written = [pieces[0]]
            for arg, piece in zip(args, pieces[1:], strict=True):
                written += (str(arg), piece)
            return "".join(written)
    return reverse(name, args=args)


@lru_cache(maxsize=512)
def _plain(name: str, script_prefix: str, urlconf) -> str:
    """A URL without arguments (the navigation bar's), once per pattern and script prefix (a key
    only: reverse() reads the prefix itself)."""
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=512)
def _pieces(name: str, count: int, script_prefix: str, urlconf) -> tuple[str, ...] | None:
    """The text before, between and after the pattern's `count` numbers, or None to use reverse()."""
    probes = [str(probe) for probe in _PROBES[:count]]
    try:
        written = reverse(name, args=probes, urlconf=urlconf)
    except NoReverseMatch:
        return None
    pieces = []
    rest = written
    for probe in probes:
        # Each number once, in order; a converter that pads or encodes it leaves no probe to find.
        if written.count(probe) != 1 or probe not in rest:
            return None
        before, _, rest = rest.partition(probe)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def asset(path: str) -> str:
    """The same string as `{% static path %}`, looked up once per file in each process (the manifest
    storage's lookup and quoting cost more than the rest of a small page's header)."""
    return _asset(path)


@lru_cache(maxsize=256)
def _asset(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _forget_assets(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"):
        _asset.cache_clear()
