"""Draft, edit and finalise a letter, open its PDF, export and verify the case file."""

import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from disputes.models import Letter
from disputes.services.evidence import EvidenceDetails, evidence_add
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import png_bytes
from tests.factories import PASSWORD, AgreementFactory, CaseFactory, MilestoneFactory, UserFactory
from tests.services import missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_page_png(pdf_path, name: str) -> None:
    """Render page 1 of a PDF to PNG next to the other screenshots, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not shutil.which("pdftoppm"):
        missing("needs pdftoppm (apt-get install poppler-utils)")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(SCREENSHOTS / name)],
        check=True,
        timeout=60,
    )


def test_a_payment_demand_from_draft_to_pdf_and_the_case_file(live_server, page: Page, tmp_path):
    owner = UserFactory(email="fran@example.com", name="Fran Lancer", business_name="Lancer Studio")
    case = CaseFactory(
        project__client__owner=owner,
        project__client__name="Acme Bakery",
        project__title="Brand identity",
        title="Final payment missing",
        stage="reminders",
    )
    AgreementFactory(project=case.project, version=1, deliverables="Logo and guide")
    MilestoneFactory(project=case.project, title="Final payment", amount=Decimal("1200"))
    evidence_add(
        case=case,
        author=owner,
        uploads=[SimpleUploadedFile("chat.png", png_bytes())],
        details=EvidenceDetails(kind="screenshot", caption="Refusal"),
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "fran@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")

    page.click("text=Draft a payment demand")
    expect(page.locator("#id_amount_owed")).to_have_value("1200.00")
    page.fill("#id_payment_instructions", "IBAN DE02 1203 0000 0000 2020 51, reference 'Brand identity'")
    page.click("button:has-text('Save draft')")
    expect(page.locator(".letter-preview")).to_contain_text("Total owed: 1,200.00 USD")
    page.click("a:has-text('Edit')")
    page.fill("#id_subject", "Payment demand: Brand identity, final instalment")
    page.click("button:has-text('Save draft')")
    expect(page.locator(".letter-preview h1")).to_have_text("Payment demand: Brand identity, final instalment")
    page.screenshot(path=str(SCREENSHOTS / "40-letter-draft.png"), full_page=True)

    expect(page.locator("#id_move_case")).to_be_checked()
    # Only the fields of the chosen way of sending show.
    expect(page.locator("#id_cover_note")).to_be_visible()
    expect(page.locator("#id_sent_on")).to_be_hidden()
    page.check("input[name=delivery][value=recorded]")
    expect(page.locator("#id_sent_on")).to_be_visible()
    expect(page.locator("#id_cover_note")).to_be_hidden()
    page.check("input[name=delivery][value=settle]")
    page.click("button:has-text('Finalise the letter')")
    expect(page.locator("body")).to_contain_text("Letter finalised")
    # Settle sent it (the worker runs at once here); the page says so only now, with the server's time.
    expect(page.get_by_test_id("letter-status")).to_contain_text("sent by Settle by e-mail at")
    with page.expect_download() as download:
        page.get_by_test_id("letter-pdf").click()
    pdf_path = tmp_path / "letter.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    first_page_png(pdf_path, "41-letter-pdf-page1")
    letter = Letter.objects.get()
    assert letter.status == "final" and letter.case.stage == "formal_letter"
    assert letter.delivery == "settle" and letter.sent_at == letter.mail.sent_at and letter.entry is not None

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("li[aria-current=step]")).to_contain_text("Formal letter")
    # The case's letters card lists it, sent by Settle, with its deadline.
    expect(page.locator("#letters")).to_contain_text("Payment demand")
    expect(page.locator("#letters")).to_contain_text("sent by Settle")
    page.locator("#letters").screenshot(path=str(SCREENSHOTS / "44-case-letters-card.png"))
    with page.expect_download() as download:
        page.get_by_test_id("casefile-export").click()
    zip_path = tmp_path / "case.zip"
    download.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        (tmp_path / "summary.pdf").write_bytes(archive.read("case-summary.pdf"))
    assert "manifest.json" in names and any(n.startswith("letters/") for n in names)
    first_page_png(tmp_path / "summary.pdf", "42-case-summary-page1")

    page.goto(f"{live_server.url}/casefile/verify/")
    page.set_input_files("#id_file", str(zip_path))
    page.click("button:has-text('Verify')")
    expect(page.get_by_test_id("verify-report")).to_contain_text("match their fingerprints")
    page.screenshot(path=str(SCREENSHOTS / "43-casefile-verified.png"), full_page=True)
