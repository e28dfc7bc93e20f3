"""Several files uploaded at once: each keeps its own kind and caption."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Evidence
from tests.conftest import png_bytes
from tests.disputes.test_evidence import stored_files, upload
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def files():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    return [
        SimpleUploadedFile("Screenshot 2026-11-30.png", png_bytes()),
        SimpleUploadedFile("invoice-0042.pdf", pdf, content_type="application/pdf"),
    ]


def test_each_file_keeps_its_own_kind_and_caption(owner_client, case):
    response = upload(
        owner_client, case, *files(), file_kind=["chat", "invoice"], file_caption=["The client's reply", "Invoice 42"]
    )
    assert response.status_code == 302
    stored = {item.original_name: (item.kind, item.caption) for item in Evidence.objects.filter(case=case)}
    assert stored == {
        "Screenshot 2026-11-30.png": ("chat", "The client's reply"),
        "invoice-0042.pdf": ("invoice", "Invoice 42"),
    }
    page = owner_client.get(case.get_absolute_url()).content.decode()
    assert "Invoice 42" in page and "invoice-0042.pdf" in page  # the card names the file under its caption


def test_a_blank_kind_or_caption_is_guessed_from_the_name(owner_client, case):
    assert upload(owner_client, case, *files(), file_kind=["", ""], file_caption=["", " "]).status_code == 302
    stored = {item.original_name: (item.kind, item.caption) for item in Evidence.objects.filter(case=case)}
    assert stored == {
        "Screenshot 2026-11-30.png": ("screenshot", "Screenshot 2026 11 30"),
        "invoice-0042.pdf": ("invoice", "Invoice 0042"),
    }


def test_without_the_rows_the_files_share_the_forms_kind_and_caption(owner_client, case):
    assert upload(owner_client, case, *files(), kind="contract", caption="Both").status_code == 302
    assert set(Evidence.objects.filter(case=case).values_list("kind", "caption")) == {("contract", "Both")}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"file_kind": ["chat"], "file_caption": ["One"]}, "do not match up; choose the files again"),
        ({"file_kind": ["chat", "made-up"], "file_caption": ["", ""]}, "File 2 (invoice-0042.pdf): pick what kind"),
        ({"file_kind": ["chat", "other"], "file_caption": ["x" * 301, ""]}, "File 1 (Screenshot 2026-11-30.png): keep"),
    ],
)
def test_mismatched_or_bad_rows_are_refused_and_nothing_is_stored(owner_client, case, fields, message):
    response = upload(owner_client, case, *files(), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.filter(case=case).exists() and stored_files() == []


def test_another_users_case_takes_no_labelled_upload(client, case):
    other = CaseFactory()
    client.force_login(other.owner)
    data = {"files": files(), "kind": "other", "file_kind": ["chat", "invoice"], "file_caption": ["a", "b"]}
    assert client.post(reverse("disputes:evidence_upload", args=[case.pk]), data).status_code == 404
    assert not Evidence.objects.exists()


def test_the_service_refuses_labels_that_do_not_fit(case):
    from django.core.exceptions import ValidationError

    from disputes.services.evidence import EvidenceDetails, FileLabel, evidence_add

    with pytest.raises(ValidationError):
        evidence_add(case=case, author=case.owner, uploads=files(), details=EvidenceDetails(kind="other"),
                     labels=[FileLabel("chat")])  # fmt: skip
    with pytest.raises(ValidationError):
        evidence_add(case=case, author=case.owner, uploads=files(), details=EvidenceDetails(kind="other"),
                     labels=[FileLabel("chat"), FileLabel("nonsense")])  # fmt: skip
    assert not Evidence.objects.exists()
