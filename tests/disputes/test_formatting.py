"""One formatter per kind of value: money and durations, the same on pages, PDFs and e-mails."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from disputes.formatting import format_duration, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1250.5"), "EUR", "1,250.50 EUR"),
        (Decimal("1400"), "EUR", "1,400.00 EUR"),
        (Decimal("120000"), "JPY", "120,000 JPY"),
        (Decimal("0.5"), "USD", "0.50 USD"),
        (Decimal("1234.567"), "BHD", "1,234.567 BHD"),  # three decimals
    ],
)
def test_money_in_english(amount, currency, text):
    assert format_money(amount, currency, locale="en_US") == text


def test_money_follows_the_active_language():
    with translation.override("de"):
        assert format_money(Decimal("1400.5"), "EUR") == "1.400,50 EUR"
    with translation.override("en"):
        assert format_money(Decimal("1400.5"), "EUR") == "1,400.50 EUR"


def test_no_amount_is_empty():
    assert format_money(None, "EUR") == ""


def test_the_template_filter_is_the_same_function():
    html = Template("{% load settle %}{{ amount|money:currency }}").render(
        Context({"amount": Decimal("4800"), "currency": "EUR"})
    )
    assert html == format_money(Decimal("4800"), "EUR") == "4,800.00 EUR"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(days=2, hours=3), "2 days 3 h"),
        (dt.timedelta(hours=3, minutes=20), "3 h 20 min"),
        (dt.timedelta(minutes=12), "12 min"),
        (dt.timedelta(seconds=20), "less than a minute"),
        (-dt.timedelta(hours=1), "1 h"),
    ],
)
def test_durations(delta, text):
    assert format_duration(delta) == text
