"""Field history: allowed edits leave old value, new value, who and when, shown where they belong."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from disputes.models import FieldChange
from disputes.services.cases import case_move, case_update
from disputes.services.clients import client_update
from disputes.services.projects import milestone_mark_paid, project_update
from tests.factories import CaseFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("1200"), kind="billing")


def test_a_case_edit_keeps_the_old_and_new_amount_and_kind(case, owner):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        case_update(case=case, actor=owner, data={"amount_in_dispute": Decimal("950.50"), "kind": "scope"})
    rows = {row.field: row for row in FieldChange.objects.filter(subject="case", subject_id=case.pk)}
    assert set(rows) == {"amount_in_dispute", "kind"}
    assert (rows["amount_in_dispute"].old_value, rows["amount_in_dispute"].new_value) == ("1200.00", "950.50")
    assert rows["kind"].old_value.startswith("Billing") and rows["kind"].new_value == "Scope disagreement"
    assert rows["kind"].changed_by == owner and rows["kind"].changed_at == dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)


def test_saving_without_a_change_records_nothing(case, owner):
    case_update(case=case, actor=owner, data={"amount_in_dispute": case.amount_in_dispute, "title": case.title})
    assert not FieldChange.objects.exists()


def test_the_history_is_shown_on_the_case_page_for_owner_and_staff(case, owner, staff, client):
    case_update(case=case, actor=owner, data={"amount_in_dispute": Decimal("999")})
    client.force_login(owner)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Change history (1)" in page and "1200.00" in page and "999.00" in page
    escalated = case_move(case=case, actor=owner, move="fast_track", reason="Threats", ground="conduct")
    client.force_login(staff)
    page = client.get(reverse("disputes:staff_case", args=[escalated.pk])).content.decode()
    assert "Change history (1)" in page and "999.00" in page


def test_a_milestone_paid_date_set_and_cleared_is_on_the_project_page(case, owner, client):
    milestone = MilestoneFactory(project=case.project, title="Second half", amount=Decimal("600"))
    milestone_mark_paid(milestone=milestone, actor=owner, paid_on=dt.date(2026, 3, 2))
    milestone_mark_paid(milestone=milestone, actor=owner, paid_on=None)
    old_new = list(
        FieldChange.objects.filter(subject="milestone", subject_id=milestone.pk)
        .order_by("id")
        .values_list("old_value", "new_value")
    )
    assert old_new == [("", "2026-03-02"), ("2026-03-02", "")]
    client.force_login(owner)
    page = client.get(case.project.get_absolute_url()).content.decode()
    assert "Second half: Paid on" in page and "2026-03-02" in page


def test_project_dates_and_client_details_are_on_their_pages(case, owner, client):
    project_update(project=case.project, actor=owner, data={"due_date": dt.date(2026, 9, 30)})
    client_update(client=case.client, actor=owner, data={"email": "new@acme.example"})
    client.force_login(owner)
    assert "2026-09-30" in client.get(case.project.get_absolute_url()).content.decode()
    page = client.get(case.client.get_absolute_url()).content.decode()
    assert "new@acme.example" in page and "Change history (1)" in page


def test_another_freelancers_history_is_never_shown(case, owner, outsider, client):
    case_update(case=case, actor=owner, data={"amount_in_dispute": Decimal("1")})
    mine = CaseFactory(project__client__owner=outsider)
    client.force_login(outsider)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert "No edits since it was created" in page and "1200.00" not in page
    assert client.get(case.get_absolute_url()).status_code == 404


def test_the_edit_form_records_the_change_with_its_author(case, owner, owner_client):
    url = reverse("disputes:case_edit", args=[case.pk])
    data = {"title": case.title, "kind": "quality", "amount_in_dispute": "1200", "currency": case.currency}
    owner_client.post(url, data)
    change = FieldChange.objects.get()
    assert (change.field, change.new_value, change.changed_by) == ("kind", "Quality of the work", owner)
