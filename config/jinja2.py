"""The Jinja2 environment for Settle's hot partials (templates/jinja2/).

Pages are Django templates; the parts a page repeats per row (a timeline entry,
a case in the list, a badge) are Jinja2 templates, which compile to Python and
render several times faster. Django templates include them with
`{% jinja "name" key=value %}` (disputes.templatetags.settle). The helpers here
are the Django ones the partials need, under the same names, with the same
output: `url` (disputes.links.link), `static`, and the `date`, `timeuntil`, `filesize`, `money` and
`duration` filters (dates in the active time zone, as Django's templates show them),
plus `label`, a choice field's label as `get_FOO_display()` gives it, and `selected_option`,
one select's choice marked in options written once for many selects.
"""

import datetime
from functools import cache, lru_cache

from django.conf import settings
from django.template import defaultfilters
from django.utils import dateformat, dates, formats, translation
from django.utils.timezone import get_current_timezone, template_localtime
from jinja2 import Environment
from markupsafe import Markup, escape

from disputes.formatting import format_duration, format_money
from disputes.languages import in_sentence
from disputes.links import asset, link
from disputes.templatetags.settle import in_cases, submission_key


def date(value, format_string: str) -> str:
    """Django's `date` filter: `{{ entry.happened_at|date("j M Y, H:i T") }}`, in the active time zone.

    The same output as Django's (tests/disputes/test_partials.py compares them), with the format
    split into its parts once per format instead of on every call, and the codes the pages use
    (day, month, year, hour, minute, zone) written directly: a timeline page writes dozens of
    dates, and Django's per-call set-up was most of each one's cost."""
    if type(value) is datetime.datetime and value.tzinfo is not None and settings.USE_TZ:
        writers = _direct_writers(format_string)
        if writers is not None:  # the common case: an aware time in a format of direct codes only
            local = value.astimezone(get_current_timezone())
            return "".join(piece if type(piece) is str else piece(local) for piece in writers)
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    if format_string in formats.FORMAT_SETTINGS:  # a named format ("DATE_FORMAT") in the active language
        format_string = formats.get_format(format_string)
    try:
        is_date = type(value) is datetime.date
        direct = is_date or (type(value) is datetime.datetime and value.tzinfo is not None)
        written = None
        parts = []
        for code, piece in _date_parts(str(format_string)):
            if not code:
                parts.append(piece)
            elif is_date and hasattr(dateformat.TimeFormat, piece):
                return defaultfilters.date(value, format_string)  # Django's own refusal
            elif direct and piece in _DIRECT:
                parts.append(_DIRECT[piece](value))
            else:
                written = written or dateformat.DateFormat(value)
                parts.append(str(getattr(written, piece)()))
        return "".join(parts)
    except AttributeError:  # not a date: what Django's filter gives
        return defaultfilters.date(value, format_string)


@lru_cache(maxsize=32)
def _month_abbreviations(language: str) -> tuple[str, ...]:
    return ("", *(str(dates.MONTHS_3[month]).title() for month in range(1, 13)))


def _zone_name(value: datetime.datetime) -> str:
    # As dateformat.TimeFormat.T: no name for a wall time that is ambiguous or missing in its zone.
    zone = value.tzinfo
    return "" if dateformat._datetime_ambiguous_or_imaginary(value, zone) else str(zone.tzname(value))


# Format codes written as Django's dateformat writes them, for dates and aware datetimes.
_DIRECT = {
    "j": lambda value: str(value.day),
    "d": lambda value: f"{value.day:02d}",
    "n": lambda value: str(value.month),
    "m": lambda value: f"{value.month:02d}",
    "M": lambda value: _month_abbreviations(translation.get_language())[value.month],
    "Y": lambda value: f"{value.year:04d}",
    "y": lambda value: f"{value.year % 100:02d}",
    "G": lambda value: str(value.hour),
    "H": lambda value: f"{value.hour:02d}",
    "i": lambda value: f"{value.minute:02d}",
    "s": lambda value: f"{value.second:02d}",
    "T": _zone_name,
}


@lru_cache(maxsize=128)
def _direct_writers(format_string: str) -> tuple | None:
    """The format as literal text and `_DIRECT` writers, or None when it is a named format (which
    depends on the language) or has a code without a direct writer."""
    if format_string in formats.FORMAT_SETTINGS:
        return None
    writers = []
    for code, piece in _date_parts(format_string):
        if code and piece not in _DIRECT:
            return None
        writers.append(_DIRECT[piece] if code else piece)
    return tuple(writers)


@lru_cache(maxsize=128)
def _date_parts(format_string: str) -> tuple[tuple[bool, str], ...]:
    """("j M", ...) as Django's dateformat.Formatter reads it: format codes and literal text."""
    pieces = dateformat.re_formatchars.split(format_string)
    return tuple(
        (True, piece) if index % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
        for index, piece in enumerate(pieces)
        if piece
    )


def gettext(message: str) -> Markup:
    """`_("…")` in the templates: Django's gettext, remembered per language. A timeline page asks for
    a few hundred translations, and each of Django's calls looks its language up anew.

    The text is Settle's own (the catalogue's), so it is markup as `{% translate %}` treats it: a
    message may hold a link, and `_("… %(name)s")|format(name=value)` escapes only the value."""
    return _translated(translation.get_language(), message)


@lru_cache(maxsize=4096)
def _translated(language: str | None, message: str) -> Markup:
    with translation.override(language):
        return Markup(translation.gettext(message))  # noqa: S704 (the catalogue's text, as {% translate %} trusts it)


def checklist_how(line) -> str:
    """Why a checklist line counts as there (rules.checklist.Line), in the active language."""
    if line.basis == "tagged":
        return translation.ngettext("%(count)s file tagged", "%(count)s files tagged", line.count) % {
            "count": line.count
        }
    if line.basis == "fitting":
        return translation.ngettext(
            "%(count)s file of a fitting kind", "%(count)s files of a fitting kind", line.count
        ) % {"count": line.count}
    return translation.gettext(line.how)


def label(instance, field_name: str) -> str:
    """`{{ case|label("stage") }}`: what `case.get_stage_display()` gives, from a table made once per
    field (Django's method rebuilds it from the field's choices on every call)."""
    value = getattr(instance, field_name)
    return _labels(type(instance), field_name, translation.get_language()).get(value, value)


@cache
def _labels(model, field_name: str, language: str | None) -> dict:
    # One table per language: the lazy labels written out once, not on every row.
    with translation.override(language):
        return {key: str(text) for key, text in model._meta.get_field(field_name).flatchoices}


def selected_option(options: Markup, value: str) -> Markup:
    """`{{ options|selected_option(value) }}`: a select's `<option>` rows (written once, for every
    select of a list) with the one whose value is `value` selected; unchanged if none is."""
    options = escape(options)  # markup stays as it is; plain text is escaped
    if not value:
        return options
    plain, selected = Markup('<option value="{}">').format(value), Markup('<option value="{}" selected>').format(value)
    return options.replace(plain, selected, 1)


# Counted phrases the Jinja templates write (`{{ plural("deadlines", n) }}`): their singular and plural
# forms stand here, in Python, where makemessages finds ngettext calls (it reads only `_()` in templates).
_PLURALS = {
    "deadlines": lambda count: translation.ngettext("%(count)s deadline", "%(count)s deadlines", count),
    "cases": lambda count: translation.ngettext("%(count)s case", "%(count)s cases", count),
}


def plural(phrase: str, count: int) -> Markup:
    """`{{ plural("deadlines", 3) }}` → "3 deadlines", in the active language (its plural rules)."""
    return Markup(_PLURALS[phrase](count)) % {"count": count}  # noqa: S704 (the catalogue's text)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on: people's text is escaped, whatever a setting says
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(autoescape=True, **options)
    env.globals.update(url=link, static=asset, plural=plural, submission_key=submission_key)
    env.filters.update(
        date=date,
        timeuntil=defaultfilters.timeuntil_filter,
        filesize=defaultfilters.filesizeformat,
        label=label,
        money=format_money,
        duration=format_duration,
        selected_option=selected_option,
        checklist_how=checklist_how,
        in_cases=in_cases,
        midsentence=in_sentence,
        truncatechars=defaultfilters.truncatechars,
    )
    # Old-style callables: `{{ _("Due in %(left)s")|format(left=...) }}`, which makemessages reads in Jinja files too.
    env.install_gettext_callables(gettext, translation.ngettext, newstyle=False)
    # `_` straight to gettext: the extension's alias looks `gettext` up again through the context on every call.
    env.globals["_"] = gettext
    return env
