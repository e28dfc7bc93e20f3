"""One formatter per kind of value, used by pages, PDFs and e-mails alike.

Money is written with its ISO 4217 code after the number, grouped and with
the decimals the currency uses, in the active language's conventions:
"1,400.00 EUR" in English, "1.400,00 EUR" in German, "120,000 JPY". Codes,
not symbols: "$" is ambiguous between a dozen currencies, and a dispute is
about exactly which one. Durations read as "2 days 3 h".
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext


@cache
def _money_pattern(locale: str) -> str:
    # The locale's own currency pattern, with the symbol moved after the number as an ISO code.
    try:
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
    except (UnknownLocaleError, ValueError, KeyError):
        pattern = "¤#,##0.00"
    number = pattern.split(";")[0].replace("¤", "").replace("\xa0", " ").strip()
    return f"{number} ¤¤"


# The date formats the pages, e-mails and PDFs write, as Django's `date` filter reads them. Each is a
# message of its own (`{{ day|date:_("j M Y") }}`): a language writes it its way ("6. Dez. 2026").
# Listed here too so the catalogue holds the ones nested inside another message's arguments.
DATE_FORMATS = (
    gettext_noop("j M Y"),
    gettext_noop("j M Y, H:i"),
    gettext_noop("j M Y, H:i T"),
    gettext_noop("j M Y, H:i:s T"),
    gettext_noop("j F Y"),
    gettext_noop("j F Y, H:i T"),
    gettext_noop("j M"),
    gettext_noop("j M, H:i T"),
    gettext_noop("j M, H:i:s T"),
    gettext_noop("D j M, H:i"),
    gettext_noop("D j M, H:i T"),
    gettext_noop("D j M Y, H:i"),
    gettext_noop("D j M Y, H:i T"),
    gettext_noop("H:i T"),
    gettext_noop("F Y"),
    gettext_noop("M Y"),
)


def _current_locale() -> str:
    return translation.to_locale(translation.get_language() or "en-us")


def format_money(amount: Decimal | int | None, currency: str, *, locale: str | None = None) -> str:
    """An amount with its currency code: "1,234.50 USD", "120,000 JPY"; empty for no amount."""
    if amount is None:
        return ""
    return _format_money(Decimal(amount), currency, locale or _current_locale())


@lru_cache(maxsize=4096)
def _format_money(amount: Decimal, currency: str, locale: str) -> str:
    # Cached: a list page writes dozens of amounts, and Babel's formatting costs more than the rest of a row.
    try:
        return format_currency(amount, currency, _money_pattern(locale), locale=locale)
    except (UnknownLocaleError, ValueError):
        return format_currency(amount, currency, _money_pattern("en_US"), locale="en_US")


def format_duration(value: datetime.timedelta | None) -> str:
    """A span of time in words: "2 days 3 h", "3 h 20 min", "12 min"."""
    if value is None:
        return ""
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        words = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        return words + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" if minutes else gettext("less than a minute")
