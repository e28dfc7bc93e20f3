"""A new user starts in their browser's time zone, and every zone box is searchable."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_takes_the_browsers_zone(live_server, browser):
    page = browser.new_context(timezone_id="Asia/Tokyo").new_page()
    page.goto(f"{live_server.url}/accounts/sign-up/")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Tokyo")
    page.fill("#id_email", "tokyo@example.com")
    page.fill("#id_name", "Kei")
    page.click("button:has-text('Send me the link')")
    expect(page.locator("body")).to_contain_text("tokyo@example.com")
    assert User.objects.get(email="tokyo@example.com").time_zone == "Asia/Tokyo"


def test_the_client_form_suggests_zones_and_refuses_an_unknown_one(live_server, page):
    user = UserFactory(email="zones@example.com")
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/clients/new/")
    box = page.locator("#id_time_zone")
    assert box.get_attribute("list") == "time-zone-names"
    assert page.locator("#time-zone-names option[value='Europe/Berlin']").count() == 1
    page.fill("#id_name", "Fern GmbH")
    box.fill("Mars/Base")
    page.click("button[type=submit]:has-text('Save')")
    expect(page.locator("body")).to_contain_text("Pick a time zone from the list")
    expect(page.locator("#id_name")).to_have_value("Fern GmbH")
