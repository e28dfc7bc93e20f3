"""In Chromium: private notes, a signed case file checked on the verify page, archiving, the public key."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from disputes import signing
from disputes.services.cases import case_move
from disputes.services.evidence import EvidenceDetails, evidence_add
from tests.conftest import gps_jpeg_bytes
from tests.factories import PASSWORD, CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_a_note_is_private_until_shared_and_staff_never_see_it(live_server, page: Page, shot, console_errors):
    user = UserFactory(email="p@example.com")
    case = CaseFactory(project__client__owner=user, title="Logo never paid", stage="formal_letter")
    sign_in(page, live_server.url, "p@example.com")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.select_option("#id_kind", "note")
    page.fill("#id_body", "Lowest I would accept: 600 EUR")
    page.click("button:has-text('Add entry')")
    expect(page.locator(".alert")).to_contain_text("private note")
    page.select_option("#id_kind", "note")
    page.fill("#id_body", "Sent the final files again today")
    page.check("#id_share")
    page.click("button:has-text('Add entry')")
    private = page.locator("#timeline li", has_text="Lowest I would accept")
    expect(private.locator('[data-testid="private-badge"]')).to_be_visible()
    expect(page.locator("#timeline li", has_text="Sent the final files")).to_contain_text("Shared")
    shot("50-private-and-shared-notes")
    case_move(case=case, actor=user, move="escalate", reason="No answer to the letter")
    UserFactory(email="staff@example.com", is_staff=True)
    page.context.clear_cookies()  # sign out
    sign_in(page, live_server.url, "staff@example.com")
    page.goto(f"{live_server.url}/staff/cases/{case.pk}/")
    expect(page.locator("#timeline")).to_contain_text("Sent the final files")
    expect(page.locator("#timeline")).not_to_contain_text("Lowest I would accept")
    expect(page.locator('[data-testid="seal"]')).to_contain_text("Record sealed")
    page.click('[data-testid="check-chain"]')
    expect(page.locator(".alert-success")).to_contain_text("hash chain holds")
    shot("51-staff-sees-shared-entries-and-the-seal")
    assert not console_errors


def test_a_case_file_is_exported_verified_and_a_forgery_is_named(live_server, page: Page, shot, tmp_path):
    user = UserFactory(email="v@example.com")
    case = CaseFactory(project__client__owner=user, title="Unpaid website", stage="formal_letter")
    evidence_add(
        case=case,
        author=user,
        uploads=[SimpleUploadedFile("site.jpg", gps_jpeg_bytes()), SimpleUploadedFile("invoice.txt", b"Invoice 7")],
        details=EvidenceDetails(kind="invoice"),
    )
    case_move(case=case, actor=user, move="escalate", reason="No answer")
    sign_in(page, live_server.url, "v@example.com")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    with page.expect_download() as download:
        page.click('[data-testid="casefile-export"]')
    good = Path(tmp_path / "case.zip")
    download.value.save_as(good)
    page.goto(f"{live_server.url}/casefile/verify/")
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Verify')")
    expect(page.locator('[data-testid="verdict"]')).to_contain_text("This case file verifies")
    expect(page.locator('[data-testid="check-chain"]')).to_contain_text("Timeline chain holds")
    expect(page.locator('[data-testid="check-seals"]')).to_contain_text("1 seal")
    shot("52-verify-a-signed-case-file")

    # A forger replaces the invoice and rewrites the manifest to match it.
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(forged, "w") as target:
        files = {name: source.read(name) for name in source.namelist()}
        invoice = next(name for name in files if name.endswith("invoice.txt"))
        files[invoice] = b"Invoice 7: paid in full"
        manifest = json.loads(files["manifest.json"])
        for item in manifest["files"]:
            if item["path"] == invoice:
                item["sha256"], item["size"] = hashlib.sha256(files[invoice]).hexdigest(), len(files[invoice])
        files["manifest.json"] = json.dumps(manifest, indent=2).encode()
        for name, data in files.items():
            target.writestr(name, data)
    page.set_input_files("#id_file", str(forged))
    page.click("button:has-text('Verify')")
    expect(page.locator('[data-testid="verdict"]')).to_contain_text("does not verify")
    expect(page.locator('[data-testid="check-signature"]')).to_contain_text("Signature does not hold")
    expect(page.locator('[data-testid="check-files"]')).to_contain_text("all")
    shot("53-verify-names-a-rewritten-manifest")


def test_a_closed_case_is_archived_and_restored(live_server, page: Page, shot):
    user = UserFactory(email="a@example.com")
    case = CaseFactory(project__client__owner=user, title="Settled last spring")
    case_move(case=case, actor=user, move="resolve", reason="Paid", outcome="paid_in_full")
    sign_in(page, live_server.url, "a@example.com")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.click('[data-testid="archive"]')
    expect(page.locator('[data-testid="archived-banner"]')).to_contain_text("nothing deleted")
    shot("54-archived-case")
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("table")).to_have_count(0)
    page.click('[data-testid="archived-link"]')
    expect(page.locator("body")).to_contain_text("Settled last spring")
    page.click("text=Settled last spring")
    page.click("button:has-text('Restore')")
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("body")).to_contain_text("Settled last spring")


def test_the_public_key_page_on_a_phone(live_server, page: Page, shot):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/signing-key/")
    expect(page.locator('[data-testid="fingerprint"]')).to_have_text(signing.current_key().public.fingerprint)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("mobile-signing-key")
