"""Prevention, walked through in Chromium: a risky client's reasons and advice on a new project,
work stopped until paid, and a quality case's evidence checklist filling up as files come in."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from disputes.models import WarningSign
from disputes.services.timeline import entry_add
from tests.browser.conftest import SCREENSHOTS, link_in_mail
from tests.browser.pages import sign_in
from tests.conftest import png_bytes
from tests.factories import CaseFactory, ClientFactory, MilestoneFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_risky_client_and_stopped_work(live_server, page: Page, shot, console_errors):
    user = UserFactory(email="risk@example.com", time_zone="Europe/Berlin")
    calm = ClientFactory(owner=user, name="Calm Co")
    shady = ClientFactory(owner=user, name="Shady Ltd")
    for kind in ("source_before_payment", "off_platform"):
        WarningSign.objects.create(client=shady, kind=kind, noticed_on=timezone.localdate())
    case = CaseFactory(project__client=shady, project__title="Brand refresh", title="Unpaid second invoice")

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/projects/new/")
    expect(page.get_by_test_id("client-risk")).to_have_count(0)
    page.select_option("#id_client", str(shady.pk))
    risk = page.get_by_test_id("client-risk")
    expect(risk.get_by_test_id("risk-level")).to_have_text("High risk")
    expect(risk.get_by_test_id("risk-reasons")).to_contain_text("asked for source files before paying")
    expect(risk.get_by_test_id("risk-advice")).to_contain_text("No source files")
    shot("80-new-project-risk")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("80-new-project-risk-phone")
    page.select_option("#id_client", str(calm.pk))
    expect(page.get_by_test_id("risk-level")).to_have_text("Low risk")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{case.project.get_absolute_url()}")
    page.fill("#work-stop-reason", "Invoice 2 unpaid since 1 May")
    page.get_by_test_id("work-stop").click()
    expect(page.locator(".alert-success")).to_contain_text("Recorded on the timeline of 1 open case.")
    expect(page.get_by_test_id("work-stopped")).to_contain_text("Invoice 2 unpaid since 1 May")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("work-stopped")).to_contain_text("Brand refresh")
    expect(page.locator(".timeline")).to_contain_text("Work on “Brand refresh” stopped until paid.")
    assert console_errors == []


def test_a_quality_case_lists_missing_evidence_until_it_is_attached(live_server, page: Page, shot, tmp_path):
    user = UserFactory(email="checklist@example.com")
    case = CaseFactory(project__client__owner=user, kind="quality", title="Logo not as agreed")
    ProjectFactory(client=case.client)
    picture = tmp_path / "delivered logo.png"
    picture.write_bytes(png_bytes())

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    checklist = page.get_by_test_id("evidence-checklist")
    expect(checklist.get_by_test_id("checklist-percent")).to_have_text("0 of 5 · 0%")
    expect(checklist.locator("[data-done=no]")).to_have_count(5)
    expect(checklist).to_contain_text("Proof of delivery · missing")

    page.get_by_role("link", name="Add evidence").first.click()
    page.set_input_files("#id_files", str(picture))
    page.get_by_test_id("file-row").get_by_label("Kind").select_option("deliverable")
    page.select_option("#id_checklist_item", label="Proof of delivery")
    page.click("button:has-text('Upload')")
    checklist = page.get_by_test_id("evidence-checklist")
    # Tagged as delivery proof: it counts for that item only, not by its kind for another.
    expect(checklist.get_by_test_id("checklist-percent")).to_have_text("1 of 5 · 20%")
    expect(checklist).to_contain_text("Proof of delivery · 1 file tagged")

    page.get_by_test_id("evidence-tag").first.locator("select").select_option(label="The client's change requests")
    page.get_by_test_id("evidence-tag").first.get_by_role("button", name="Tag").click()
    expect(page.locator(".alert-success")).to_contain_text("now counts for The client's change requests")
    expect(page.get_by_test_id("checklist-percent")).to_have_text("1 of 5 · 20%")
    expect(page.get_by_test_id("evidence-checklist")).to_contain_text("Proof of delivery · missing")
    expect(page.get_by_test_id("evidence-checklist")).to_contain_text("The client's change requests · 1 file tagged")
    shot("81-evidence-checklist")


def test_the_client_accepts_an_emailed_offer_and_the_case_closes_on_it(live_server, page: Page, browser, shot):
    user = UserFactory(email="offers@example.com", time_zone="Europe/Berlin")
    case = CaseFactory(project__client__owner=user, project__client__email="ben@bakery.example",
                       project__title="Bakery website", title="Second invoice unpaid", currency="EUR",
                       amount_in_dispute=Decimal("1600"))  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_test_id("offer-new").click()
    page.fill("#id_amount", "1200")
    page.fill("#id_terms", "You pay 1,200 EUR by Friday; I hand over the source files the same day.")
    page.fill("#id_expires_on", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.check("#id_email")
    shot("82-offer-form")
    page.click("button:has-text('Record the offer')")
    offer = page.get_by_test_id("offer")
    expect(offer).to_have_attribute("data-status", "open")
    expect(offer.get_by_test_id("offer-mail")).to_contain_text("Sent by Settle to ben@bakery.example")

    link = link_in_mail(live_server.url, "ben@bakery.example", "/offer/")
    client_page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    client_page.goto(link)
    expect(client_page.get_by_test_id("offer-text")).to_contain_text("1,200.00 EUR to settle “Bakery website”")
    assert client_page.evaluate("document.documentElement.scrollWidth") <= 375
    client_page.screenshot(path=str(SCREENSHOTS / "83-offer-client-phone.png"), full_page=True)
    client_page.click("button:has-text('Accept this offer')")
    expect(client_page.get_by_test_id("offer-answered")).to_contain_text("You accepted this offer")
    client_page.goto(link)  # the link works once
    expect(client_page.get_by_role("button", name="Accept this offer")).to_have_count(0)

    page.reload()
    expect(page.get_by_test_id("offer")).to_have_attribute("data-status", "accepted")
    page.get_by_test_id("resolve-from-offer").click()
    expect(page.get_by_test_id("settled-prefill")).to_be_visible()
    expect(page.locator("#id_amount_recovered")).to_have_value("1200.00")
    shot("84-close-from-offer")
    page.click("button:has-text('Resolve')")
    expect(page.locator("body")).to_contain_text("1,200.00 EUR recovered")
    expect(page.locator(".timeline")).to_contain_text("The client accepted the offer of 1,200.00 EUR")


def test_a_heated_message_gets_a_held_tone_flagged_reply(live_server, page: Page, shot):
    user = UserFactory(email="cool@example.com", time_zone="Europe/Berlin")
    case = CaseFactory(project__client__owner=user, project__client__email="angry@client.example", title="Late logo")
    entry_add(case=case, author=user, kind="message_in", channel="email",
              body="This is UNACCEPTABLE!!! You always miss every deadline. Your fault.")  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_test_id("write-to-client").click()
    expect(page.get_by_test_id("cool-off")).to_contain_text("reads as heated")
    expect(page.get_by_test_id("clock-left")).to_contain_text("left")
    page.fill("#id_subject", "About the logo")
    page.fill("#id_body", "You NEVER read my messages!!! This is your fault.")
    page.click("button:has-text('Check the tone')")
    hints = page.get_by_test_id("tone-hints")
    expect(hints).to_contain_text("How your draft may read")
    expect(page.locator("#id_body")).to_have_value("You NEVER read my messages!!! This is your fault.")
    shot("85-heated-reply-hints")
    page.get_by_test_id("mail-send").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("Held for")
    expect(page.get_by_test_id("mail-held")).to_contain_text("Held to cool off until")
    expect(page.locator(".timeline")).not_to_contain_text("You NEVER read my messages")  # nothing sent yet


def test_the_payment_plan_fits_and_marks_what_is_past_due(live_server, page: Page, shot):
    user = UserFactory(email="plan@example.com")
    project = ProjectFactory(client__owner=user, title="Shop build")
    late = MilestoneFactory(project=project, title="Design phase", due_date=timezone.localdate() - dt.timedelta(days=3))
    MilestoneFactory(project=project, title="Launch", due_date=timezone.localdate() + dt.timedelta(days=20))
    sign_in(page, live_server, user)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{project.get_absolute_url()}#milestones")
        plan = page.locator("#milestones")
        assert plan.evaluate("el => el.scrollWidth <= el.clientWidth"), f"the plan is cut off at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        expect(page.get_by_test_id("milestone-past-due")).to_have_count(1)
        shot(f"86-payment-plan-{width}")
    row = page.get_by_test_id("milestone-row").filter(has_text="Design phase")
    row.locator("summary").click()
    row.locator("input[name=paid_on]").fill(timezone.localdate().isoformat())
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("milestone-past-due")).to_have_count(0)
    late.refresh_from_db()
    assert late.paid_on == timezone.localdate()
