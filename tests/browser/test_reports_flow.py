"""Reports with charts at desktop and phone width; the lessons page; a closed case's follow-up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from disputes.services.cases import case_move
from tests.browser.pages import sign_in
from tests.factories import CaseFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reports_draw_their_charts_and_lessons_come_back(live_server, page: Page, shot, console_errors):
    user = UserFactory(email="reports@example.com", time_zone="Europe/Berlin")
    project = ProjectFactory(client__owner=user, client__name="Acme Bakery", currency="EUR", work_kind="design")
    now = timezone.now()
    for months_ago, kind, amount in ((5, "billing", "1200"), (3, "quality", "600"), (2, "billing", "300"),
                                     (1, "scope", "900"), (0, "billing", "450")):  # fmt: skip
        CaseFactory(project=project, kind=kind, currency="EUR", amount_in_dispute=Decimal(amount),
                    opened_at=now - dt.timedelta(days=30 * months_ago))  # fmt: skip
    closing = CaseFactory(project=project, title="Unpaid final invoice", currency="EUR",
                          amount_in_dispute=Decimal("1500"), opened_at=now - dt.timedelta(days=40))  # fmt: skip
    case_move(case=closing, actor=user, move="resolve", reason="Paid after the reminder", outcome="partial_payment",
              amount_recovered=Decimal("1000"), root_cause_kind="no_prepayment",
              lessons_learned="Ask for half up front on every new project.")  # fmt: skip

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    page.get_by_role("link", name="Reports").click()
    for chart in ("per-month", "by-kind", "by-outcome", "root-causes", "money"):
        canvas = page.locator(f"#chart-{chart}")
        expect(canvas).to_be_visible()
        # Chart.js has drawn: the canvas got its pixel size from the library.
        assert page.evaluate(f"Chart.getChart(document.getElementById('chart-{chart}')) !== undefined"), chart
    expect(page.get_by_test_id("chart-money")).to_contain_text("1,000.00")
    assert console_errors == []
    shot("70-reports")
    page.set_viewport_size({"width": 375, "height": 800})
    # The charts redraw at the new width when their resize observer fires: nothing scrolls sideways then.
    for _ in range(30):
        if page.evaluate("document.documentElement.scrollWidth") <= 375:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("70-reports-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.fill("#id_start", "2010-01")
    page.fill("#id_end", "2026-12")
    page.click("button:has-text('Show')")
    expect(page.get_by_test_id("range-error")).to_contain_text("at most 10 years")

    page.get_by_role("link", name="Lessons").click()
    expect(page.get_by_test_id("lesson")).to_contain_text("Ask for half up front")
    page.goto(f"{live_server.url}/projects/new/?client={project.client_id}")
    expect(page.get_by_test_id("past-lessons")).to_contain_text("Ask for half up front on every new project.")
    shot("71-new-project-lessons")
    # With another client, the kind of work brings the lesson back as it is chosen.
    page.goto(f"{live_server.url}/projects/new/?client={ProjectFactory(client__owner=user).client_id}")
    expect(page.get_by_test_id("past-lessons")).to_have_count(0)
    page.select_option("#id_work_kind", "design")
    expect(page.get_by_test_id("past-lessons")).to_contain_text("You had a case on this kind of work before.")
    expect(page.get_by_test_id("past-lessons")).to_contain_text("design and illustration, Acme Bakery")
    shot("71-new-project-lessons-by-kind")
    page.select_option("#id_work_kind", "writing")
    expect(page.get_by_test_id("past-lessons")).to_have_count(0)
    assert console_errors == []

    page.goto(f"{live_server.url}{closing.get_absolute_url()}")
    expect(page.get_by_test_id("follow-up")).to_contain_text("After the resolution")
    page.click("button:has-text('to ask for feedback')")
    expect(page.get_by_test_id("feedback-set")).to_contain_text("Settle will remind you on")
