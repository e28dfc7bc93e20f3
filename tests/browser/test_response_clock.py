"""An overdue concern stands out everywhere, and a reply clears it at once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from disputes.services.timeline import entry_add
from tests.factories import PASSWORD, CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overdue_badge_banner_and_counts_then_a_reply_clears_them(live_server, page: Page, shot):
    user = UserFactory(email="clock@example.com", time_zone="America/New_York")
    case = CaseFactory(project__client__owner=user, title="Logo refund demand", project__client__name="Alex")
    calm = CaseFactory(project__client__owner=user, title="A calm case")
    received = timezone.now() - dt.timedelta(hours=27)
    entry_add(case=case, author=user, kind="message_in", channel="email", body="Refund me now.", happened_at=received)
    entry_add(
        case=calm,
        author=user,
        kind="message_in",
        channel="email",
        body="Small question",
        happened_at=timezone.now() - dt.timedelta(hours=1),
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clock@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")

    expect(page.get_by_test_id("overdue-count")).to_have_text("1")
    expect(page.get_by_test_id("nav-clock")).to_contain_text("1 overdue")
    expect(page.get_by_test_id("waiting")).to_contain_text("Logo refund demand")
    shot("20-dashboard-overdue")

    page.goto(f"{live_server.url}/cases/?response=overdue")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Logo refund demand")
    # The badges sit in the stage column, or under the title on a phone: one of them is shown.
    expect(rows.first.locator("[data-testid=clock-badge]:visible")).to_contain_text("Overdue 3 h")
    shot("21-case-list-overdue")
    page.set_viewport_size({"width": 375, "height": 800})
    expect(rows.first.locator("[data-testid=clock-badge]:visible")).to_contain_text("Overdue 3 h")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("21-case-list-overdue-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.click("text=Logo refund demand")
    banner = page.get_by_test_id("clock-banner")
    expect(banner).to_contain_text("Overdue by 3 h")
    # The deadline is shown in the user's time zone.
    deadline = timezone.localtime(received + dt.timedelta(hours=24), ZoneInfo("America/New_York"))
    expect(banner).to_contain_text(dateformat.format(deadline, "D j M, H:i T"))
    expect(page.get_by_test_id("concern-open")).to_be_visible()
    shot("22-case-overdue-banner")

    page.select_option("#id_kind", "message_out")
    page.select_option("#id_channel", "email")
    page.fill("#id_body", "I have read this and will come back by Thursday.")
    page.click("button:has-text('Add entry')")
    expect(page.get_by_test_id("clock-banner")).to_have_count(0)
    expect(page.get_by_test_id("concern-open")).to_have_count(0)
    expect(page.get_by_test_id("nav-clock")).to_have_count(0)
    shot("23-case-after-reply")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("overdue-count")).to_have_text("0")
    # The calm case has 23 h left: listed as waiting, not overdue.
    expect(page.get_by_test_id("waiting")).to_contain_text("A calm case")
    expect(page.get_by_test_id("waiting")).not_to_contain_text("Logo refund demand")
