"""Each screen: success paths, bad input kept with errors, and redirects."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, Client, Milestone, Project, ScopeAgreement, TimelineEntry, WarningSign
from tests.factories import AgreementFactory, CaseFactory, ClientFactory, EntryFactory, MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CLIENT = {"name": "Ada", "company": "Ada Co", "preferred_channel": "email", "platform": "upwork", "time_zone": "UTC"}
PROJECT = {"title": "Site", "price": "1200.50", "currency": "eur", "prepayment_percent": 50, "status": "active"}
AGREEMENT = {
    "deliverables": "Five pages",
    "price": "1200.50",
    "currency": "EUR",
    "revision_rounds": 2,
    "source": "email",
}
CASE = {"title": "Unpaid invoice", "kind": "billing", "amount_in_dispute": "600"}


def test_dashboard_empty_state_and_totals(owner_client, owner):
    html = owner_client.get(reverse("disputes:dashboard")).content.decode()
    assert "Add your first client" in html
    CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("100"), currency="USD")
    CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("50.5"), currency="USD", stage="legal")
    CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("70"), currency="EUR")
    CaseFactory(project__client__owner=owner, amount_in_dispute=Decimal("999"), currency="USD", status="resolved")
    CaseFactory(amount_in_dispute=Decimal("5000"), currency="USD")  # someone else's
    response = owner_client.get(reverse("disputes:dashboard"))
    assert response.context["open_count"] == 3
    money = {row["currency"]: row["total"] for row in response.context["money"]}
    assert money == {"EUR": Decimal("70"), "USD": Decimal("150.5")}
    counts = {rung["key"]: rung["count"] for rung in response.context["rungs"]}
    assert counts["direct_talk"] == 2 and counts["legal"] == 1


def test_client_create_edit_and_errors_keep_input(owner_client, owner):
    response = owner_client.post(reverse("disputes:client_create"), {**CLIENT, "name": "", "email": "not-an-email"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fill this in." in html and "Write an e-mail address, like name@example.com." in html
    assert 'value="Ada Co"' in html  # what the user typed is kept
    response = owner_client.post(reverse("disputes:client_create"), CLIENT)
    client = Client.objects.get(owner=owner)
    assert response["Location"] == client.get_absolute_url()
    owner_client.post(reverse("disputes:client_edit", args=[client.pk]), {**CLIENT, "name": "Ada L."})
    client.refresh_from_db()
    assert client.name == "Ada L."


def test_warning_sign_add_and_future_date_refused(owner_client, owner):
    client = ClientFactory(owner=owner)
    url = reverse("disputes:warning_sign_add", args=[client.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = owner_client.post(url, {"kind": "off_platform", "noticed_on": tomorrow, "note": "hm"})
    assert response.status_code == 200 and "in the future" in response.content.decode()
    response = owner_client.post(url, {"kind": "off_platform", "noticed_on": "2999-01-01", "note": "hm"})
    assert response.status_code == 200 and "Enter a date between 1990 and 2100." in response.content.decode()
    owner_client.post(url, {"kind": "off_platform", "noticed_on": "2026-01-01", "note": "Asked to pay by gift card"})
    assert WarningSign.objects.get(client=client).note == "Asked to pay by gift card"
    assert "Asked to pay by gift card" in owner_client.get(client.get_absolute_url()).content.decode()


def test_client_list_search_and_pagination(owner_client, owner, settings):
    settings.PAGE_SIZE = 5
    for i in range(12):
        ClientFactory(owner=owner, name=f"Client {i:02d}")
    ClientFactory(owner=owner, name="Zed Unique")
    page = owner_client.get(reverse("disputes:client_list")).context["page"]
    assert page.paginator.count == 13 and len(page.object_list) == 5
    page3 = owner_client.get(reverse("disputes:client_list") + "?page=3").context["page"]
    assert len(page3.object_list) == 3
    found = owner_client.get(reverse("disputes:client_list") + "?q=unique").context["page"]
    assert [c.name for c in found.object_list] == ["Zed Unique"]
    assert owner_client.get(reverse("disputes:client_list") + "?page=999").status_code == 200


def test_project_create_normalises_currency_and_lists(owner_client, owner):
    client = ClientFactory(owner=owner)
    response = owner_client.post(reverse("disputes:project_create"), {**PROJECT, "client": client.pk})
    project = Project.objects.get(owner=owner)
    assert response["Location"] == project.get_absolute_url()
    assert project.currency == "EUR" and project.price == Decimal("1200.50")
    response = owner_client.post(reverse("disputes:project_create"), {**PROJECT, "client": client.pk, "currency": "E"})
    assert response.status_code == 200 and Project.objects.count() == 1
    assert "Site" in owner_client.get(reverse("disputes:project_list")).content.decode()


def test_project_create_without_clients_says_what_to_do(owner_client):
    assert "Add a client first" in owner_client.get(reverse("disputes:project_create")).content.decode()


def test_milestones_add_and_mark_paid(owner_client, owner):
    project = ProjectFactory(client__owner=owner)
    owner_client.post(reverse("disputes:milestone_add", args=[project.pk]), {"title": "Half", "amount": "600"})
    milestone = Milestone.objects.get(project=project)
    url = reverse("disputes:milestone_paid", args=[project.pk, milestone.pk])
    owner_client.post(url, {"paid_on": "2026-02-03"})
    milestone.refresh_from_db()
    assert milestone.paid_on == datetime.date(2026, 2, 3)
    owner_client.post(url, {"paid_on": ""})
    milestone.refresh_from_db()
    assert milestone.paid_on is None
    response = owner_client.post(reverse("disputes:milestone_add", args=[project.pk]), {"title": "", "amount": "-5"})
    assert response.status_code == 200 and Milestone.objects.count() == 1


def test_agreement_versions_through_the_pages(owner_client, owner):
    project = ProjectFactory(client__owner=owner)
    url = reverse("disputes:agreement_create", args=[project.pk])
    response = owner_client.post(url, {**AGREEMENT, "accepted_at": "2026-01-10T09:30"})
    assert response.status_code == 200 and "Say through which channel" in response.content.decode()
    owner_client.post(url, AGREEMENT)
    same = owner_client.post(url, AGREEMENT)
    assert "Nothing changed" in same.content.decode()
    owner_client.post(url, {**AGREEMENT, "deliverables": "Six pages", "change_note": "One more page"})
    assert list(ScopeAgreement.objects.values_list("version", flat=True).order_by("version")) == [1, 2]
    detail = owner_client.get(reverse("disputes:agreement_detail", args=[project.pk, 2])).content.decode()
    assert "Five pages" in detail and "Six pages" in detail and "One more page" in detail
    old = owner_client.get(reverse("disputes:agreement_detail", args=[project.pk, 1])).content.decode()
    assert "superseded" in old
    compare = owner_client.get(reverse("disputes:agreement_compare", args=[project.pk]) + "?a=2&b=1")
    assert compare.status_code == 200 and [c.name for c in compare.context["changes"]] == ["deliverables"]
    assert owner_client.get(reverse("disputes:agreement_compare", args=[project.pk]) + "?a=1&b=9").status_code == 404
    assert owner_client.get(reverse("disputes:agreement_compare", args=[project.pk]) + "?a=x").status_code == 404


def test_case_open_edit_and_prefill(owner_client, owner):
    project = ProjectFactory(client__owner=owner, currency="GBP")
    form = owner_client.get(reverse("disputes:case_open") + f"?project={project.pk}").context["form"]
    assert form.initial == {"project": project.pk}
    assert "(GBP)" in owner_client.get(reverse("disputes:case_open")).content.decode()
    response = owner_client.post(reverse("disputes:case_open"), {**CASE, "project": project.pk})
    case = Case.objects.get(owner=owner)
    assert response["Location"] == case.get_absolute_url()
    assert (case.stage, case.status, case.client_id, case.currency) == ("direct_talk", "open", project.client_id, "GBP")
    owner_client.post(reverse("disputes:case_edit", args=[case.pk]), {**CASE, "title": "Renamed", "stage": "legal"})
    case.refresh_from_db()
    assert case.title == "Renamed" and case.stage == "direct_talk"


def test_case_page_shows_ladder_checklist_and_moves(owner_client, case):
    response = owner_client.get(case.get_absolute_url())
    html = response.content.decode()
    assert response.context["current_rung"].key == "direct_talk"
    assert "Checklist for direct talk" in html
    assert [m for m, _ in response.context["moves"]] == ["escalate", "fast_track", "resolve", "walk_away"]
    assert 'aria-current="step"' in html


def test_move_through_the_page(owner_client, case):
    url = reverse("disputes:case_move", args=[case.pk, "escalate"])
    form_page = owner_client.get(url)
    assert form_page.context["allowed"] and form_page.context["target_rung"].key == "reminders"
    response = owner_client.post(url, {"expected_stage": "direct_talk", "expected_status": "open", "reason": ""})
    assert response.status_code == 200 and "Fill this in." in response.content.decode()
    response = owner_client.post(url, {"expected_stage": "direct_talk", "expected_status": "open", "reason": "Silent"})
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.stage == "reminders"


def test_a_forged_illegal_move_is_refused_with_a_message(owner_client, case):
    response = owner_client.post(
        reverse("disputes:case_move", args=[case.pk, "reopen"]),
        {"expected_stage": "direct_talk", "expected_status": "open", "reason": "forged"},
    )
    assert response.status_code == 200 and "already open" in response.content.decode()
    response = owner_client.post(
        reverse("disputes:case_move", args=[case.pk, "fast_track"]),
        {"expected_stage": "direct_talk", "expected_status": "open", "reason": "x", "ground": "made_up"},
    )
    assert response.status_code == 200
    assert owner_client.get(reverse("disputes:case_move", args=[case.pk, "teleport"])).status_code == 404
    case.refresh_from_db()
    assert (case.stage, case.status) == ("direct_talk", "open")
    assert not TimelineEntry.objects.filter(case=case, kind="stage_change").exists()


def test_a_stale_form_is_refused_and_sends_you_back_to_the_case(owner_client, case):
    url = reverse("disputes:case_move", args=[case.pk, "escalate"])
    data = {"expected_stage": "direct_talk", "expected_status": "open", "reason": "twice"}
    owner_client.post(url, data)
    response = owner_client.post(url, data, follow=True)
    assert "was changed since you opened the page" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "reminders"


def test_close_as_resolved_with_lessons(owner_client, case):
    url = reverse("disputes:case_move", args=[case.pk, "resolve"])
    data = {"expected_stage": "direct_talk", "expected_status": "open", "reason": "Paid after call"}
    response = owner_client.post(url, data)
    assert response.status_code == 200 and "outcome" in response.context["form"].errors
    owner_client.post(
        url,
        {**data, "outcome": "paid_in_full", "amount_recovered": "250", "lessons_learned": "Prepayment next time"},
    )
    case.refresh_from_db()
    assert case.status == "resolved" and case.lessons_learned == "Prepayment next time"
    assert "Prepayment next time" in owner_client.get(case.get_absolute_url()).content.decode()


def test_entry_add_keeps_input_on_error_and_saves_in_user_time_zone(owner_client, owner, case):
    owner.time_zone = "America/New_York"
    owner.save()
    url = reverse("disputes:entry_add", args=[case.pk])
    response = owner_client.post(url, {"kind": "message_in", "channel": "", "body": "Kept text"})
    assert response.status_code == 200
    assert "Say through which channel" in response.content.decode() and "Kept text" in response.content.decode()
    with time_machine.travel("2026-07-01 12:00:00+00:00", tick=False):
        owner_client.post(
            url, {"kind": "message_in", "channel": "email", "body": "Hello", "happened_at": "2026-06-30T09:15"}
        )
    entry = TimelineEntry.objects.get(case=case)
    # 09:15 in New York (EDT, UTC-4) is 13:15 UTC.
    assert entry.happened_at.isoformat() == "2026-06-30T13:15:00+00:00"
    html = owner_client.get(case.get_absolute_url()).content.decode()
    assert "30 Jun 2026, 09:15 EDT" in html


def test_timeline_is_ordered_by_when_things_happened(owner_client, case):
    late = EntryFactory(case=case, body="second", happened_at=case.opened_at)
    early = EntryFactory(case=case, body="first", happened_at=case.opened_at - datetime.timedelta(days=1))
    timeline = owner_client.get(case.get_absolute_url()).context["view"].timeline
    assert [e.pk for e in timeline] == [early.pk, late.pk]


def test_correction_page_and_struck_original(owner_client, case):
    original = EntryFactory(case=case, body="We agreed 100")
    url = reverse("disputes:entry_correct", args=[case.pk, original.pk])
    assert owner_client.get(url).context["form"].initial["body"] == "We agreed 100"
    owner_client.post(url, {"body": "We agreed 1000", "channel": "email", "happened_at": "2026-01-01T10:00"})
    response = owner_client.get(case.get_absolute_url())
    [root] = response.context["view"].timeline
    assert root.pk == original.pk and [c.body for c in root.correction_chain] == ["We agreed 1000"]
    assert "superseded" in response.content.decode()
    again = owner_client.post(url, {"body": "x", "channel": "email", "happened_at": "2026-01-01T10:00"})
    assert "already been corrected" in again.content.decode()


def test_system_entries_have_no_correction_page(owner_client, case, owner):
    from disputes.services.cases import case_move

    case_move(case=case, actor=owner, move="escalate", reason="x")
    entry = TimelineEntry.objects.get(case=case, kind="stage_change")
    assert owner_client.get(reverse("disputes:entry_correct", args=[case.pk, entry.pk])).status_code == 404


def test_case_list_filters_search_sort_and_counts(owner_client, owner, settings):
    settings.PAGE_SIZE = 3
    acme = ClientFactory(owner=owner, name="Acme")
    other = ClientFactory(owner=owner, name="Other")
    CaseFactory(project__client=acme, title="Logo unpaid", stage="formal_letter", amount_in_dispute=10)
    CaseFactory(project__client=acme, title="Site quality", kind="quality", amount_in_dispute=30)
    CaseFactory(project__client=other, title="Late", kind="deadline", status="resolved", amount_in_dispute=20)
    CaseFactory(project__client=other, title="Abuse", kind="conduct", stage="platform_support", amount_in_dispute=5)
    CaseFactory(title="Not mine")

    def titles(query: str) -> list[str]:
        return [c.title for c in owner_client.get(reverse("disputes:case_list") + query).context["page"].object_list]

    assert len(titles("")) == 3
    assert owner_client.get(reverse("disputes:case_list")).context["page"].paginator.count == 4
    assert titles("?q=acme&sort=title") == ["Logo unpaid", "Site quality"]
    assert titles("?stage=formal_letter") == ["Logo unpaid"]
    assert titles("?status=resolved") == ["Late"]
    assert titles("?kind=conduct") == ["Abuse"]
    assert titles(f"?client={other.pk}&sort=title") == ["Abuse", "Late"]
    assert titles("?sort=-amount")[0] == "Site quality"
    counts = {v: n for v, _, n in owner_client.get(reverse("disputes:case_list") + "?q=acme").context["stage_counts"]}
    assert counts["formal_letter"] == 1 and counts["direct_talk"] == 1 and counts["platform_support"] == 0
    # Unknown filter values are ignored, not a server error.
    assert owner_client.get(reverse("disputes:case_list") + "?stage=bogus&client=abc&sort=drop").status_code == 200


def test_case_list_empty_states(owner_client, owner):
    assert "add a project" in owner_client.get(reverse("disputes:case_list")).content.decode()
    ProjectFactory(client__owner=owner)
    assert "open a case" in owner_client.get(reverse("disputes:case_list")).content.decode()
    assert "No case matches" in owner_client.get(reverse("disputes:case_list") + "?q=zzz").content.decode()


def test_a_filtered_empty_case_list_does_not_ask_about_projects(owner_client, owner):
    ProjectFactory(client__owner=owner)

    def asks(path: str) -> bool:
        with CaptureQueriesContext(connection) as reading:
            owner_client.get(path)
        return any(q["sql"].startswith('SELECT 1 AS "a" FROM "disputes_project"') for q in reading.captured_queries)

    assert asks(reverse("disputes:case_list"))  # an empty unfiltered list says what to do first
    assert not asks(reverse("disputes:case_list") + "?q=zzz")


def test_detail_pages_render(owner_client, owner):
    case = CaseFactory(project__client__owner=owner)
    AgreementFactory(project=case.project, version=1)
    MilestoneFactory(project=case.project)
    for url in (case.client.get_absolute_url(), case.project.get_absolute_url(), reverse("disputes:project_list")):
        assert owner_client.get(url).status_code == 200
