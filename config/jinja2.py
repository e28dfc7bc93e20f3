"""The Jinja2 environment for Settle's hot partials (templates/jinja2/).

Pages are Django templates; the parts a page repeats per row (a timeline entry,
a case in the list, a badge) are Jinja2 templates, which compile to Python and
render several times faster. Django templates include them with
`{% jinja "name" key=value %}` (disputes.templatetags.settle). The helpers here
are the Django ones the partials need, under the same names, with the same
output: `url`, `static`, and the `date`, `timeuntil`, `filesize`, `money` and
`duration` filters (dates in the active time zone, as Django's templates show them),
plus `label`, a choice field's label as `get_FOO_display()` gives it.
"""

import datetime
from functools import cache

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import Environment

from disputes.formatting import format_duration, format_money


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def date(value, format_string: str) -> str:
    """Django's `date` filter: `{{ entry.happened_at|date("j M Y, H:i T") }}`, in the active time zone."""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return defaultfilters.date(value, format_string)


def label(instance, field_name: str) -> str:
    """`{{ case|label("stage") }}`: what `case.get_stage_display()` gives, from a table made once per
    field (Django's method rebuilds it from the field's choices on every call)."""
    value = getattr(instance, field_name)
    return _labels(type(instance), field_name).get(value, value)


@cache
def _labels(model, field_name: str) -> dict:
    # Labels stay lazy translations: each render writes them in the active language.
    return dict(model._meta.get_field(field_name).flatchoices)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on: people's text is escaped, whatever a setting says
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(autoescape=True, **options)
    env.globals.update(url=url, static=static)
    env.filters.update(
        date=date,
        timeuntil=defaultfilters.timeuntil_filter,
        filesize=defaultfilters.filesizeformat,
        label=label,
        money=format_money,
        duration=format_duration,
    )
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    return env
