"""Escalation to staff review, a decision, then mediation with an invited mediator."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from disputes.models import Notification, SettlementProposal
from disputes.services.evidence import EvidenceDetails, evidence_add
from tests.browser.conftest import SCREENSHOTS, link_in_mail
from tests.conftest import png_bytes
from tests.factories import PASSWORD, CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Dashboard")


def test_staff_decision_then_a_mediated_settlement(live_server, browser: Browser):
    base = live_server.url
    freelancer = UserFactory(email="fran@example.com", name="Fran")
    UserFactory(email="sam@example.com", name="Sam Staff", is_staff=True)
    case = CaseFactory(
        project__client__owner=freelancer,
        title="Client threatens and refuses to pay",
        kind="conduct",
        amount_in_dispute=800,
    )
    evidence_add(
        case=case,
        author=freelancer,
        uploads=[SimpleUploadedFile("threat.png", png_bytes(size=(300, 200), color="orange"))],
        details=EvidenceDetails(kind="screenshot", caption="Threatening message"),
    )

    fran = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(fran, base, "fran@example.com")
    fran.goto(f"{base}{case.get_absolute_url()}")
    fran.click("a[data-move=fast_track]")
    expect(fran.locator("#id_ground")).to_have_value("conduct")
    fran.fill("#id_reason", "The client sent threats after the delivery.")
    fran.click("button:has-text('Go straight to platform support')")
    expect(fran.get_by_test_id("in-review")).to_be_visible()

    sam = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(sam, base, "sam@example.com")
    expect(sam.get_by_test_id("nav-queue")).to_contain_text("1")
    sam.click("[data-testid=nav-queue]")
    expect(sam.get_by_test_id("queue-row")).to_have_count(1)
    shot_page(sam, "30-staff-queue")
    sam.click("text=Client threatens and refuses to pay")
    expect(sam.get_by_test_id("evidence-row")).to_contain_text("fingerprint matches")
    sam.wait_for_function(
        "() => { const img = document.querySelector('#evidence img'); return img.complete && img.naturalWidth > 0; }"
    )
    with sam.expect_download() as download:
        sam.click("#evidence figcaption a:has-text('Threatening message')")
    assert download.value.suggested_filename == "threat.png"
    form = sam.get_by_test_id("decision-form")
    form.locator("#id_recommendation").select_option("pay_in_full")
    form.locator("#id_reasons").fill("The delivery matches the agreement; the threats breach platform policy.")
    form.locator("button").click()
    expect(sam.locator("#review")).to_contain_text("Pay in full")
    shot_page(sam, "31-staff-decision")

    fran.reload()
    expect(fran.locator("#timeline")).to_contain_text("the threats breach platform policy")
    expect(fran.locator("#timeline")).to_contain_text("Settle staff")
    shot_page(fran, "32-freelancer-sees-decision")

    # Mediation: up one rung, invite a mediator.
    fran.click("a[data-move=escalate]")
    fran.fill("#id_reason", "The client asked for a mediator.")
    fran.click("button:has-text('Escalate one rung')")
    fran.click("text=Mediators")
    fran.fill("#id_email", "mia@mediators.example")
    fran.click("button:has-text('Send invitation')")
    expect(fran.locator("body")).to_contain_text("mia@mediators.example")
    shot_page(fran, "33-mediators")
    invitation = Notification.objects.get(key__startswith="mediator-invitation:")
    assert invitation.status == "sent"  # sent right after the commit, not at the next sweep
    mia = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    mia.goto(link_in_mail(base, "mia@mediators.example", "/mediation/invitations/"))
    shot_page(mia, "34-invitation")
    mia.click("text=Create an account")
    expect(mia.locator("#id_email")).to_have_value("mia@mediators.example")
    mia.fill("#id_name", "Mia Mediator")
    mia.click("button:has-text('Send me the link')")
    expect(mia.locator("h1")).to_have_text("Check your inbox")
    mia.goto(link_in_mail(base, "mia@mediators.example", "/accounts/sign-up/"))
    mia.fill("#id_new_password1", "a-neutral-long-phrase")
    mia.fill("#id_new_password2", "a-neutral-long-phrase")
    mia.click("button:has-text('Open my account')")
    mia.click("button:has-text('Accept and open the case')")
    expect(mia.locator("h1")).to_have_text("Client threatens and refuses to pay")
    mia.fill("#id_amount", "600")
    mia.fill("#id_terms", "The client pays 600 within 10 days; both sides close the dispute.")
    mia.fill("#id_deadline", "2099-12-31")
    mia.click("button:has-text('Propose')")
    expect(mia.locator("body")).to_contain_text("Waiting for the freelancer's answer")
    expect(mia.locator("body")).not_to_contain_text("Waiting for your answer")
    shot_page(mia, "35-mediator-proposal")

    fran.goto(f"{base}{case.get_absolute_url()}")
    fran.get_by_test_id("proposal-actions").locator("button:has-text('Accept the settlement')").click()
    expect(fran.locator("#timeline")).to_contain_text("Accepted the proposed settlement of 600.00")
    shot_page(fran, "36-settlement-accepted")
    assert SettlementProposal.objects.get().status == "accepted"


def shot_page(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("page_name", ["queue", "case"])
def test_staff_pages_fit_a_375px_phone(live_server, page: Page, page_name):
    UserFactory(email="s@example.com", is_staff=True)
    case = CaseFactory(title="A long escalated case title that has to wrap on a phone", stage="platform_support")
    from disputes.services.review import review_follow_case

    review_follow_case(case=case, now=case.opened_at)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, "s@example.com")
    path = "/staff/queue/" if page_name == "queue" else f"/staff/cases/{case.pk}/"
    page.goto(f"{live_server.url}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    shot_page(page, f"mobile-staff-{page_name}")
    assert width <= 375, f"{path} is {width}px wide"
