"""Fixtures shared by the disputes tests."""

import datetime as dt
from decimal import Decimal

import pytest

from disputes.services.letters import letter_defaults, letter_draft
from tests.factories import AgreementFactory, CaseFactory, MilestoneFactory, UserFactory


@pytest.fixture
def billing_case():
    owner = UserFactory(email="fran@example.com", name="Fran Lancer", business_name="Lancer Studio", time_zone="UTC")
    case = CaseFactory(
        project__client__owner=owner,
        project__client__name="Acme Bakery",
        project__title="Brand identity",
        project__currency="EUR",
        currency="EUR",
        stage="reminders",
    )
    AgreementFactory(
        project=case.project,
        version=1,
        price=Decimal("2400"),
        currency="EUR",
        accepted_at=dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC),
        accepted_via="email",
    )
    MilestoneFactory(
        project=case.project, title="Final payment", amount=Decimal("1200.50"), due_date=dt.date(2026, 3, 1)
    )
    MilestoneFactory(project=case.project, title="Extra revisions", amount=Decimal("50"), due_date=dt.date(2026, 3, 5))
    MilestoneFactory(project=case.project, title="Prepayment", amount=Decimal("1200"), paid_on=dt.date(2026, 1, 15))
    return case


def draft(case, kind="demand", **changes):
    data = {**letter_defaults(case=case, kind=kind), **changes}
    return letter_draft(case=case, author=case.owner, kind=kind, data=data)
