"""Uploading several files at once: a row per file, filled in from its name, each kept as typed."""

import pytest
from playwright.sync_api import Page, expect

from disputes.models import Evidence
from tests.browser.pages import sign_in
from tests.conftest import png_bytes
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.mark.parametrize("width", [1280, 375])
def test_each_picked_file_gets_its_own_caption_and_kind(live_server, page: Page, shot, width):
    user = UserFactory(email=f"upload{width}@example.com")
    case = CaseFactory(project__client__owner=user)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/cases/{case.pk}/evidence/new/")
    page.set_input_files("#id_files", [
        {"name": "Screenshot 2026-11-30 at 10.12.png", "mimeType": "image/png", "buffer": png_bytes()},
        {"name": "invoice-0042.pdf", "mimeType": "application/pdf", "buffer": PDF},
    ])  # fmt: skip
    rows = page.get_by_test_id("file-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("legend")).to_have_text("Screenshot 2026-11-30 at 10.12.png")
    expect(rows.nth(0).get_by_label("Caption")).to_have_value("Screenshot 2026 11 30 at 10.12")
    expect(rows.nth(0).get_by_label("Kind")).to_have_value("screenshot")
    expect(rows.nth(1).get_by_label("Kind")).to_have_value("invoice")
    expect(page.locator("#div_id_kind")).to_be_hidden()  # the shared kind gives way to the rows
    rows.nth(0).get_by_label("Caption").fill("The client approves the logo")
    rows.nth(1).get_by_label("Kind").select_option("contract")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(f"evidence-upload-rows-{width}")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("2 files added as evidence")).to_be_visible()
    gallery = page.locator("#evidence")
    expect(gallery).to_contain_text("The client approves the logo")
    expect(gallery).to_contain_text("Screenshot 2026-11-30 at 10.12.png")  # the file's own name under its caption
    expect(gallery).to_contain_text("Invoice 0042")
    stored = dict(Evidence.objects.filter(case=case).values_list("original_name", "kind"))
    assert stored == {"Screenshot 2026-11-30 at 10.12.png": "screenshot", "invoice-0042.pdf": "contract"}


def test_files_picked_before_the_script_arrives_still_get_their_rows(live_server, page: Page):
    user = UserFactory(email="slow-upload@example.com")
    case = CaseFactory(project__client__owner=user)
    sign_in(page, live_server, user)
    held = []
    page.route("**/evidence_upload*.js", lambda route: held.append(route))  # the script waits
    page.goto(f"{live_server.url}/cases/{case.pk}/evidence/new/", wait_until="commit")  # the script is held
    page.set_input_files("#id_files", [{"name": "invoice-7.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.wait_for_timeout(200)
    expect(page.get_by_test_id("file-row")).to_have_count(0)
    assert held, "the upload script was not requested"
    held[0].continue_()
    expect(page.get_by_test_id("file-row")).to_have_count(1)
    expect(page.get_by_test_id("file-row").get_by_label("Kind")).to_have_value("invoice")
