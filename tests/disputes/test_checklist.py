"""The evidence checklist per kind of case: the pure rules, tagging files, and where it shows."""

import io
import zipfile
from types import SimpleNamespace

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case
from disputes.rules import checklist
from disputes.services.casefile import casefile_stream
from disputes.services.evidence import EvidenceDetails, evidence_add, evidence_tag
from disputes.services.timeline import entry_add
from tests.conftest import png_bytes
from tests.factories import AgreementFactory, CaseFactory


def _file(kind, item=""):
    return SimpleNamespace(kind=kind, checklist_item=item)


# --- The rules ------------------------------------------------------------------------------------
def test_every_kind_of_case_has_a_list_of_known_items():
    assert set(checklist.BY_CASE_KIND) == set(Case.Kind.values)
    for keys in checklist.BY_CASE_KIND.values():
        assert keys and all(key in checklist.ITEMS for key in keys) and len(set(keys)) == len(keys)


def test_an_empty_case_misses_everything():
    built = checklist.for_case("quality", [], scope_accepted=False, client_messages=False)
    assert built.done == 0 and built.percent == 0 and len(built.missing) == len(built.lines) == 5


def test_a_file_of_a_fitting_kind_counts_and_a_tag_counts_for_its_item_only():
    built = checklist.for_case("billing", [_file("invoice"), _file("invoice"), _file("other", "delivery")],
                               scope_accepted=False, client_messages=False)  # fmt: skip
    lines = {line.item.key: line for line in built.lines}
    assert lines["invoices"].done and lines["invoices"].how == "2 files of a fitting kind"
    assert lines["delivery"].done and lines["delivery"].how == "1 file tagged"
    assert not lines["scope"].done and not lines["client_messages"].done
    # A contract tagged as delivery proof no longer counts by its kind for the scope.
    tagged_away = checklist.for_case("billing", [_file("contract", "delivery")], scope_accepted=False,
                                     client_messages=False)  # fmt: skip
    assert not {line.item.key: line for line in tagged_away.lines}["scope"].done
    assert built.done == 2 and built.percent == 40


def test_the_record_itself_can_hold_an_item():
    built = checklist.for_case("conduct", [], scope_accepted=True, client_messages=True)
    lines = {line.item.key: line for line in built.lines}
    assert lines["scope"].how == "an accepted scope agreement is on the project"
    assert lines["client_messages"].how == "the client's messages are on the timeline"
    assert not lines["conduct"].done and built.percent == 67


# --- Tagging --------------------------------------------------------------------------------------
@pytest.fixture
def quality_case(owner):
    return CaseFactory(project__client__owner=owner, kind="quality", title="Logo not as agreed")


def _upload(case, name="shot.png", kind="other", item=""):
    return evidence_add(case=case, author=case.owner, uploads=[SimpleUploadedFile(name, png_bytes())],
                        details=EvidenceDetails(kind=kind, checklist_item=item))[0]  # fmt: skip


@pytest.mark.django_db
def test_an_item_from_another_kind_of_case_is_refused(quality_case):
    with pytest.raises(ValidationError, match="checklist"):
        _upload(quality_case, item="invoices")  # a billing item
    assert not quality_case.evidence.exists()
    stored = _upload(quality_case, item="delivery")
    with pytest.raises(ValidationError):
        evidence_tag(evidence=stored, actor=quality_case.owner, item="payment_trail")
    stored.refresh_from_db()
    assert stored.checklist_item == "delivery"


@pytest.mark.django_db
def test_a_quality_case_lists_what_is_missing_until_it_is_there(owner_client, quality_case):
    page = owner_client.get(quality_case.get_absolute_url()).content.decode()
    assert 'data-testid="evidence-checklist"' in page and "0 of 5 · 0%" in page
    assert page.count('data-done="no"') == 5
    stored = _upload(quality_case, name="final logo.png")
    url = reverse("disputes:evidence_tag", args=[quality_case.pk, stored.pk])
    response = owner_client.post(url, {"checklist_item": "work_as_delivered"}, follow=True)
    html = response.content.decode()
    assert "now counts for The work as delivered" in html and "1 of 5 · 20%" in html
    # The tagged file's own select shows its item; an untagged file's shows none.
    _upload(quality_case, name="draft.png")
    page = owner_client.get(quality_case.get_absolute_url()).content.decode()
    assert page.count('<option value="work_as_delivered" selected>') == 1
    assert page.count('<option value="work_as_delivered">') == 1
    refused = owner_client.post(url, {"checklist_item": "identity"}, follow=True).content.decode()
    assert "Pick an item of this case&#x27;s checklist." in refused and "1 of 5 · 20%" in refused
    entry_add(case=quality_case, author=quality_case.owner, kind="message_in", channel="email", body="Not this.")
    AgreementFactory(project=quality_case.project, accepted_at=timezone.now())
    assert "3 of 5 · 60%" in owner_client.get(quality_case.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_tagging_someone_elses_file_is_not_found(client, quality_case, outsider):
    stored = _upload(quality_case)
    client.force_login(outsider)
    url = reverse("disputes:evidence_tag", args=[quality_case.pk, stored.pk])
    assert client.post(url, {"checklist_item": "delivery"}).status_code == 404
    stored.refresh_from_db()
    assert stored.checklist_item == ""


@pytest.mark.django_db
def test_the_upload_form_offers_this_kinds_items_and_keeps_the_tag(owner_client, quality_case):
    url = reverse("disputes:evidence_upload", args=[quality_case.pk])
    form = owner_client.get(url).content.decode()
    assert 'value="work_as_delivered"' in form and 'value="invoices"' not in form
    owner_client.post(url, {"files": SimpleUploadedFile("a.png", png_bytes()), "kind": "other",
                            "checklist_item": "revision_requests"})  # fmt: skip
    assert quality_case.evidence.get().checklist_item == "revision_requests"


@pytest.mark.django_db
def test_staff_and_the_case_file_show_the_checklist(client, staff, quality_case, tmp_path):
    _upload(quality_case, item="delivery")
    quality_case.stage = "platform_support"
    quality_case.save(update_fields=["stage"])
    client.force_login(staff)
    html = client.get(reverse("disputes:staff_case", args=[quality_case.pk])).content.decode()
    assert 'data-testid="evidence-checklist"' in html and "1 of 5 · 20%" in html and "For: Proof of delivery" in html
    archive = zipfile.ZipFile(io.BytesIO(b"".join(casefile_stream(case=quality_case, user=quality_case.owner))))
    pdf = pypdf.PdfReader(io.BytesIO(archive.read("case-summary.pdf")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Evidence checklist" in text and "1 of 5 (20%)" in text and "Yes: 1 file tagged" in text
