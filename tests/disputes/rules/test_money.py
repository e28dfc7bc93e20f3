"""Currencies and the agreement-versus-plan rule, without a database."""

from decimal import Decimal

import pytest

from disputes.rules.money import PlanFigures, currency_codes, is_currency, plan_differences


@pytest.mark.parametrize("code", ["USD", "EUR", "GBP", "JPY", "INR", "CHF", "XOF"])
def test_currencies_in_use_are_accepted(code):
    assert is_currency(code)


@pytest.mark.parametrize("code", ["ABC", "XYZ", "usd", "EU", "EURO", "", "DEM", "FRF", "BTC"])
def test_made_up_lower_case_and_withdrawn_codes_are_refused(code):
    # Three letters are not enough: DEM and FRF were real codes until the euro.
    assert not is_currency(code)


def test_the_list_is_the_current_iso_4217_set():
    assert 140 < len(currency_codes()) < 200


def figures(**changes) -> PlanFigures:
    base = {
        "currency": "USD",
        "project_price": Decimal("2400"),
        "plan_total": Decimal("2400"),
        "agreement_version": 2,
        "agreement_price": Decimal("2400"),
        "agreement_currency": "USD",
    }
    return PlanFigures(**{**base, **changes})


def test_agreeing_figures_give_no_difference():
    assert plan_differences(figures()) == []


def test_an_agreement_priced_above_the_plan_is_named_with_both_figures():
    [difference] = plan_differences(figures(agreement_price=Decimal("2700")))
    assert (difference.kind, difference.ours, difference.theirs, difference.agreement_version) == (
        "agreement_vs_plan",
        Decimal("2400"),
        Decimal("2700"),
        2,
    )


def test_without_a_plan_the_project_price_is_compared():
    [difference] = plan_differences(figures(plan_total=None, project_price=Decimal("2000")))
    assert difference.kind == "agreement_vs_price" and difference.ours == Decimal("2000")
    assert plan_differences(figures(plan_total=None)) == []


def test_an_agreement_in_another_currency_is_a_currency_difference_not_a_sum():
    [difference] = plan_differences(figures(agreement_currency="EUR"))
    assert difference.kind == "currency" and difference.agreement_currency == "EUR"


def test_no_agreement_no_difference():
    assert plan_differences(figures(agreement_version=None, agreement_price=None)) == []
