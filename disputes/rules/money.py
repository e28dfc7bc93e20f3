"""Money rules: which currency codes exist, and when a project's figures disagree.

Pure Python, no ORM. A project has one currency: its milestones, its cases,
their letters, payments and settlements are all in it. A scope agreement
states its own price (and currency), which can drift from the payment plan
when terms change; `plan_differences()` says where they disagree so pages
and letters can say so instead of printing two totals without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel.core import get_global
from babel.numbers import get_territory_currencies


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (from Babel's CLDR data)."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


def is_currency(code: str) -> bool:
    return code in currency_codes()


@dataclass(frozen=True)
class PlanFigures:
    """What a project says it costs, in its three places."""

    currency: str
    project_price: Decimal
    # The sum of the payment plan's milestones; None when the plan is empty.
    plan_total: Decimal | None
    agreement_version: int | None = None
    agreement_price: Decimal | None = None
    agreement_currency: str = ""


@dataclass(frozen=True)
class PlanDifference:
    """One disagreement, with both figures (formatted by whoever shows it)."""

    kind: str  # "currency", "agreement_vs_plan" or "agreement_vs_price"
    ours: Decimal | None
    theirs: Decimal | None
    agreement_version: int | None
    agreement_currency: str = ""


def plan_differences(figures: PlanFigures) -> list[PlanDifference]:
    """Where the latest agreement disagrees with the payment plan (or, without a plan, the project price)."""
    if figures.agreement_version is None or figures.agreement_price is None:
        return []
    if figures.agreement_currency and figures.agreement_currency != figures.currency:
        return [
            PlanDifference(
                "currency",
                None,
                figures.agreement_price,
                figures.agreement_version,
                figures.agreement_currency,
            )
        ]
    if figures.plan_total is not None:
        if figures.plan_total != figures.agreement_price:
            return [
                PlanDifference(
                    "agreement_vs_plan", figures.plan_total, figures.agreement_price, figures.agreement_version
                )
            ]
        return []
    if figures.project_price != figures.agreement_price:
        return [
            PlanDifference(
                "agreement_vs_price", figures.project_price, figures.agreement_price, figures.agreement_version
            )
        ]
    return []
