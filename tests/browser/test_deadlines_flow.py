"""A platform ticket with a deadline: recorded on the case, on the board, in the calendar feed, and
warned about by the sweep 48 hours before."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from disputes.services.sweep import sweep_run
from tests.browser.pages import sign_in
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_platform_deadline_reaches_the_board_the_feed_and_the_inbox(live_server, page: Page, shot):
    user = UserFactory(email="board@example.com", time_zone="Europe/Berlin")
    case = CaseFactory(project__client__owner=user, title="Chargeback on the logo", stage="platform_support")
    berlin = ZoneInfo("Europe/Berlin")
    due = timezone.localtime(timezone.now() + dt.timedelta(hours=40), berlin).replace(second=0, microsecond=0)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    strip = page.get_by_test_id("deadline-strip")
    expect(strip).to_contain_text("No open deadline on this case.")
    strip.get_by_role("link", name="Tickets and deadlines · add").click()

    page.fill("#id_body", "Stripe (card chargeback)")
    page.fill("#id_reference", "dp_1QX42")
    page.fill("#id_url", "https://dashboard.stripe.example/disputes/dp_1QX42")
    page.click("button:has-text('Record the ticket')")
    expect(page.locator(".alert-success")).to_contain_text("Ticket recorded")
    expect(page.get_by_test_id("ticket")).to_contain_text("dp_1QX42")

    # A bad time first: refused in words, nothing lost.
    page.fill("#id_title", "Send the evidence to Stripe")
    page.fill("#id_due_at", "2020-01-01T10:00")
    page.click("button:has-text('Record the deadline')")
    expect(page.locator("#id_due_at + .invalid-feedback, .invalid-feedback")).to_contain_text("already passed")
    expect(page.locator("#id_title")).to_have_value("Send the evidence to Stripe")
    page.fill("#id_due_at", due.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_ticket", label="Stripe (card chargeback) dp_1QX42")
    page.click("button:has-text('Record the deadline')")
    row = page.get_by_test_id("case-deadline")
    expect(row).to_contain_text("Send the evidence to Stripe")
    expect(row.get_by_test_id("deadline-state")).to_contain_text("left")
    shot("60-case-deadlines")

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("strip-item")).to_contain_text("Send the evidence to Stripe")
    expect(page.get_by_test_id("nav-deadlines")).to_contain_text("1")
    expect(page.get_by_test_id("nav-phone-alert")).to_be_hidden()  # a phone's, beside the folded menu
    page.get_by_test_id("nav-deadlines").click()
    board = page.get_by_test_id("deadline-row")
    expect(board).to_have_count(1)
    expect(board.first).to_contain_text("Send the evidence to Stripe")
    expect(board.first).to_contain_text(due.strftime("%H:%M"))
    expect(board.first).to_have_class("deadline-due_soon")
    shot("61-deadline-board")
    page.set_viewport_size({"width": 375, "height": 800})
    _no_sideways_scroll(page)
    # The menu is folded on a phone; the count stays beside it, and the wide-screen one is hidden.
    alert = page.get_by_test_id("nav-phone-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("1 deadline")
    expect(page.get_by_test_id("nav-deadlines")).to_be_hidden()
    shot("61-deadline-board-phone")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    # On a phone the case's deadlines are near the top, before the ladder.
    strip_top = page.get_by_test_id("deadline-strip").bounding_box()["y"]
    assert strip_top < page.locator("#ladder").bounding_box()["y"]
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/profile/calendar/")
    page.click("button:has-text('Make my calendar address')")
    address = page.get_by_label("Calendar address").input_value()
    feed = page.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["summary"]) == "Platform: Send the evidence to Stripe"
    assert event.decoded("dtend") == due.astimezone(dt.UTC)
    shot("62-calendar-feed")
    page.click("button:has-text('Revoke')")
    assert page.request.get(address).status == 404

    sweep_run(now=timezone.now() + dt.timedelta(hours=1))
    [warning] = [m for m in mail.outbox if user.email in m.to]
    assert warning.subject == "Settle: an outside deadline is 48 hours away"
    assert "Send the evidence to Stripe" in warning.body and "dp_1QX42" in warning.body
