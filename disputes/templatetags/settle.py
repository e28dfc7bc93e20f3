"""Presentation helpers for templates and e-mails: formatting only, no rules.

Each filter hands over to `disputes.formatting`, so a page, a PDF and an
e-mail write the same value the same way.
"""

import datetime
import uuid
from decimal import Decimal

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from disputes import languages, links
from disputes.formatting import format_duration, format_money
from disputes.languages import in_sentence
from disputes.rules import lessons

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A span of time in words: "2 days 3 h", "3 h 20 min", "12 min"."""
    return format_duration(value)


@register.filter
def cause_advice(key: str) -> str:
    """`{{ case.root_cause_kind|cause_advice }}`: what to do differently next time (rules.lessons)."""
    return lessons.advice(key)


@register.filter
def negate(value: datetime.timedelta | None) -> datetime.timedelta | None:
    """`{{ left|negate|duration }}`: how long ago a passed deadline was (its time left is negative)."""
    return -value if value is not None else None


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ case.amount_in_dispute|money:case.currency }}` → "1,400.00 EUR"."""
    return format_money(amount, currency)


@register.simple_tag
def link(name: str, *args) -> str:
    """`{% link "disputes:case_detail" case.pk %}`: Django's `{% url %}` for the links every page or
    every row writes, built once per pattern (disputes.links). `{% link ... as name %}` works too."""
    return links.link(name, *args)


@register.simple_tag
def asset(path: str) -> str:
    """`{% asset 'css/settle.css' %}`: what `{% static %}` writes, looked up once per file (disputes.links)."""
    return links.asset(path)


# The owner's case pages by URL name; staff's and a mediator's case pages belong to their own sections.
_CASE_WORDS = ("case", "entry", "evidence", "concern", "offer", "letter", "mail", "received", "ticket", "timeline")


@register.filter
def in_cases(url_name: str | None) -> bool:
    """Whether the navigation's "Cases" is the current section for this URL name."""
    if not url_name or url_name.startswith(("staff", "review", "mediation")) or url_name == "casefile_verify":
        return False
    return any(word in url_name for word in _CASE_WORDS)


@register.simple_tag
def submission_key() -> str:
    """A hidden field that makes a form post that creates something safe to send twice."""
    return format_html('<input type="hidden" name="submission_key" value="{}">', uuid.uuid4())


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """`{% jinja "disputes/_timeline.html" view=view case=case %}`: a partial from templates/jinja2/
    (config/jinja2.py), given only the named values and the request (for its CSRF field)."""
    partial = engines["jinja2"].get_template(template_name)
    # Jinja2 escapes every value itself (autoescape is on), so its output is safe HTML.
    return mark_safe(partial.render(values, request=context.get("request")))


@register.filter
def say(value) -> str:
    """`{{ reason|say }}`: a sentence a rule wrote, in the reader's language (languages.say)."""
    return languages.say(value)


@register.filter
def midsentence(value) -> str:
    """`{{ label|midsentence }}` where `lower` would be used: the rule is languages.in_sentence."""
    return in_sentence(value)
