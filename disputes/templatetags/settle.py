"""Presentation helpers for templates and e-mails: formatting only, no rules.

Each filter hands over to `disputes.formatting`, so a page, a PDF and an
e-mail write the same value the same way.
"""

import datetime
import uuid
from decimal import Decimal

from django import template
from django.utils.html import format_html

from disputes.formatting import format_duration, format_money

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A span of time in words: "2 days 3 h", "3 h 20 min", "12 min"."""
    return format_duration(value)


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ case.amount_in_dispute|money:case.currency }}` → "1,400.00 EUR"."""
    return format_money(amount, currency)


@register.simple_tag
def submission_key() -> str:
    """A hidden field that makes a form post that creates something safe to send twice."""
    return format_html('<input type="hidden" name="submission_key" value="{}">', uuid.uuid4())
