"""A closed case reads as closed: its outcome at the top, no "in dispute", and lists name the close."""

from decimal import Decimal

import pytest
from django.urls import reverse

from disputes.services.cases import case_move
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner, currency="EUR", amount_in_dispute=Decimal("1600"))


def test_a_closed_case_shows_how_it_ended_at_the_top(owner_client, owner, case):
    page = owner_client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert "1,600.00 EUR in dispute" in page and 'data-testid="case-closed"' not in page
    case_move(case=case, actor=owner, move="resolve", reason="Paid most of it", outcome="partial_payment",
              amount_recovered=Decimal("1200"), lessons_learned="Ask for half up front.")  # fmt: skip
    page = owner_client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode()
    assert "in dispute</div>" not in page
    assert "1,200.00 EUR recovered of 1,600.00 EUR" in page and "Lesson: Ask for half up front." in page
    assert "Draft a payment demand" not in page and 'data-testid="offer-new"' not in page


def test_the_dashboard_names_the_move_not_a_stage_change(owner_client, owner, case):
    case_move(case=case, actor=owner, move="escalate", reason="No answer for a week")
    case.refresh_from_db()
    case_move(case=case, actor=owner, move="walk_away", reason="Not worth it", outcome="written_off")
    labels = [entry.label for entry in owner_client.get(reverse("disputes:dashboard")).context["activity"]]
    assert labels[:2] == ["Case closed: walked away", "Moved to reminders"]


def test_staff_pages_do_not_light_up_the_owners_cases_link(client, staff, owner, case):
    case_move(case=case, actor=owner, move="escalate", reason="r")
    case.refresh_from_db()
    case_move(case=case, actor=owner, move="escalate", reason="r")
    case.refresh_from_db()
    case_move(case=case, actor=owner, move="escalate", reason="r")
    client.force_login(staff)
    page = client.get(reverse("disputes:staff_case", args=[case.pk])).content.decode()
    assert 'nav-link active" href="/cases/"' not in page
    assert 'data-testid="nav-queue"' in page and "nav-link active" in page
