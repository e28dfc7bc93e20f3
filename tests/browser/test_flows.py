"""What a freelancer walks through, in real Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from disputes.models import Case, Evidence, TimelineEntry
from tests.browser.conftest import link_in_mail
from tests.conftest import png_bytes
from tests.factories import PASSWORD, CaseFactory, EntryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_select(page: Page, selector: str, label: str) -> None:
    page.select_option(selector, label=label)


def test_a_new_freelancer_records_a_dispute_from_sign_up_to_resolution(
    live_server, page: Page, shot, tmp_path, console_errors
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # Sign up.
    page.goto(f"{base}/accounts/sign-up/")
    shot("01-sign-up")
    page.fill("#id_email", "freelancer@example.com")
    page.fill("#id_name", "Fran Lancer")
    page.fill("#id_time_zone", "Europe/Berlin")
    page.click("button:has-text('Send me the link')")
    expect(page.locator("h1")).to_have_text("Check your inbox")
    shot("01b-sign-up-sent")
    page.goto(link_in_mail(base, "freelancer@example.com", "/accounts/sign-up/"))
    page.fill("#id_new_password1", "a-very-long-passphrase")
    page.fill("#id_new_password2", "a-very-long-passphrase")
    page.click("button:has-text('Open my account')")
    expect(page.locator("h1")).to_have_text("Dashboard")
    shot("02-dashboard-empty")

    # A client.
    page.click("text=Add your first client")
    page.fill("#id_name", "Alex Client")
    page.fill("#id_company", "Acme Bakery")
    page.fill("#id_email", "alex@acme.example")
    fill_select(page, "#id_platform", "Upwork")
    shot("03-client-form")
    page.click("button:has-text('Save client')")
    expect(page.locator("h1")).to_have_text("Alex Client")

    # A project for that client.
    page.click("text=New project")
    page.fill("#id_title", "Logo design")
    page.fill("#id_price", "1200")
    page.select_option("#id_currency", "USD")
    page.fill("#id_prepayment_percent", "50")
    page.click("button:has-text('Save project')")
    expect(page.locator("h1")).to_have_text("Logo design")
    shot("04-project")

    # Its scope agreement.
    page.click("a.btn:has-text('Record the agreement')")
    page.fill("#id_deliverables", "Logo in three variants\nBrand colours")
    page.fill("#id_revision_rounds", "2")
    page.fill("#id_accepted_at", "2026-01-05T10:00")
    fill_select(page, "#id_accepted_via", "E-mail")
    shot("05-agreement-form")
    page.click("button:has-text('Save version 1')")
    expect(page.locator("h1")).to_have_text("Scope agreement, version 1")
    expect(page.locator("body")).to_contain_text("5 Jan 2026, 10:00 CET")

    # Open a case on the project.
    page.click("text=Logo design")
    page.click("a.btn:has-text('Open a case')")
    page.fill("#id_title", "Final payment not made")
    fill_select(page, "#id_kind", "Billing (unpaid, late or disputed amount)")
    page.fill("#id_amount_in_dispute", "600")
    page.fill("#id_client_complaint", "Says the logo is not premium enough.")
    page.click("button:has-text('Open case')")
    expect(page.locator("h1")).to_have_text("Final payment not made")
    expect(page.locator("li[aria-current=step]")).to_contain_text("Direct talk")

    # Log the client's message and the reply.
    page.select_option("#id_kind", "message_in")
    page.select_option("#id_channel", "email")
    page.fill("#id_body", "I will not pay until it looks premium.")
    page.click("button:has-text('Add entry')")
    expect(page.locator("#timeline")).to_contain_text("I will not pay until it looks premium.")
    page.select_option("#id_kind", "message_out")
    page.select_option("#id_channel", "email")
    page.fill("#id_body", "Thank you. Which parts feel off to you?")
    page.click("button:has-text('Add entry')")
    expect(page.locator("#timeline")).to_contain_text("Which parts feel off")

    # A bad entry keeps what was typed and says what is wrong.
    page.select_option("#id_kind", "message_in")
    page.fill("#id_body", "Typed but no channel")
    page.click("button:has-text('Add entry')")
    expect(page.locator("#id_body")).to_have_value("Typed but no channel")
    expect(page.locator("body")).to_contain_text("Say through which channel")
    shot("06-entry-error")

    # Upload a screenshot as evidence.
    picture = tmp_path / "chat.png"
    picture.write_bytes(png_bytes(size=(400, 300), color="teal"))
    page.goto(f"{base}{Case.objects.get().get_absolute_url()}")
    page.click("text=Add evidence")
    page.set_input_files("#id_files", str(picture))
    page.get_by_test_id("file-row").get_by_label("Caption").fill("Chat refusing payment")  # the row of the one file
    shot("07-evidence-form")
    page.click("button:has-text('Upload')")
    expect(page.locator("#evidence")).to_contain_text("Chat refusing payment")
    expect(page.locator("#evidence img")).to_be_visible()
    # The thumbnail is lazy-loaded: wait until the browser has decoded it.
    page.wait_for_function(
        "() => { const img = document.querySelector('#evidence img'); return img.complete && img.naturalWidth > 0; }"
    )

    # Climb to the formal-letter rung.
    for reason, rung in [("No answer to two messages.", "Reminders"), ("Reminders ignored.", "Formal letter")]:
        page.click("a[data-move=escalate]")
        shot(f"08-move-to-{rung.lower().replace(' ', '-')}")
        page.fill("#id_reason", reason)
        page.click("button:has-text('Escalate one rung')")
        expect(page.locator("li[aria-current=step]")).to_contain_text(rung)
    expect(page.locator("#ladder")).to_contain_text("Checklist for formal letter")
    shot("09-case-formal-letter")

    # Close it as resolved, with lessons learned.
    page.click("a[data-move=resolve]")
    page.fill("#id_reason", "Client paid after the letter.")
    page.select_option("#id_outcome", "paid_in_full")
    page.fill("#id_amount_recovered", "600")
    page.fill("#id_root_cause", "No written revision limit.")
    page.fill("#id_lessons_learned", "Put the number of revision rounds in the agreement.")
    shot("10-close-form")
    page.click("button:has-text('Close as resolved')")
    expect(page.locator(".stage-badge").first).to_contain_text("Formal letter")
    expect(page.locator("body")).to_contain_text("Resolved")
    expect(page.locator("body")).to_contain_text("Put the number of revision rounds in the agreement.")
    shot("11-case-resolved")

    case = Case.objects.get()
    assert (case.stage, case.status, case.outcome) == ("formal_letter", "resolved", "paid_in_full")
    assert Evidence.objects.filter(case=case).count() == 1
    moves = list(TimelineEntry.objects.filter(case=case, kind="stage_change").values_list("move", flat=True))
    assert moves == ["opened", "escalate", "escalate", "resolve"]
    assert console_errors == []


def test_correcting_an_entry_strikes_the_original(live_server, page: Page, shot):
    user = UserFactory(email="c@example.com")
    case = CaseFactory(project__client__owner=user)
    EntryFactory(case=case, kind="message_in", channel="phone", body="Client said 100", happened_at=case.opened_at)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "c@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.click("#timeline a:has-text('Correct')")
    page.fill("#id_body", "Client said 1000")
    page.click("button:has-text('Add correction')")
    original = page.locator(".superseded .entry-body", has_text="Client said 100")
    expect(original).to_have_css("text-decoration-line", "line-through")
    expect(page.locator(".correction")).to_contain_text("Client said 1000")
    shot("12-correction")


@pytest.mark.parametrize("path", ["/", "/cases/", "/clients/", "/projects/", "case", "client", "project"])
def test_pages_fit_a_375px_phone(live_server, page: Page, shot, path):
    user = UserFactory(email="m@example.com")
    case = CaseFactory(project__client__owner=user, title="A case with a rather long title to wrap on phones")
    urls = {
        "case": case.get_absolute_url(),
        "client": case.client.get_absolute_url(),
        "project": case.project.get_absolute_url(),
    }
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "m@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server.url}{urls.get(path, path)}")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375, f"{path} is {overflow}px wide"
    shot(f"mobile-{re.sub(r'[^a-z]+', '-', path).strip('-') or 'dashboard'}")
    # The menu collapses behind a toggler and opens.
    expect(page.locator("#main-nav a:has-text('Cases')")).to_be_hidden()
    page.click(".navbar-toggler")
    expect(page.locator("#main-nav a:has-text('Cases')")).to_be_visible()
