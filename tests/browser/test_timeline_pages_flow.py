"""A long timeline in Chromium: the newest page first, older and newer by link, a permalink that lands."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import sign_in
from tests.disputes.test_timeline_pages import fill
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paging_through_a_long_timeline(live_server, page: Page, shot, settings):
    settings.TIMELINE_PAGE_SIZE = 25
    user = UserFactory(email="long@example.com", time_zone="Europe/Berlin")
    case = CaseFactory(project__client__owner=user, title="A long dispute")
    entries = fill(case, 60)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Entry 59")
    expect(timeline).not_to_contain_text("Entry 34")
    page.get_by_test_id("timeline-older").click()
    expect(timeline).to_contain_text("Entry 34")
    expect(timeline).not_to_contain_text("Entry 59")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("77-timeline-older-phone")
    page.get_by_test_id("timeline-newer").click()
    expect(timeline).to_contain_text("Entry 59")
    # A permalink to an old entry opens the page it is on, scrolled to it.
    page.goto(f"{live_server.url}{case.get_absolute_url()}?at={entries[5].pk}#entry-{entries[5].pk}")
    expect(page.locator(f"#entry-{entries[5].pk}")).to_be_in_viewport()
