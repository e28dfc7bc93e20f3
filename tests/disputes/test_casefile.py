"""The case file: contents, fingerprints, tampering, access and memory."""

import hashlib
import io
import json
import os
import time
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from disputes.models import Evidence
from disputes.services.casefile import casefile_stream
from disputes.services.cases import case_move
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize
from disputes.services.timeline import entry_add
from disputes.services.verification import casefile_verify
from tests.conftest import png_bytes
from tests.factories import AgreementFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_case(owner):
    case = CaseFactory(project__client__owner=owner, title="Unpaid logo", stage="reminders")
    AgreementFactory(project=case.project, version=1, deliverables="Logo v1")
    AgreementFactory(project=case.project, version=2, deliverables="Logo v2 with guide")
    entry_add(case=case, author=owner, kind="message_in", channel="email", body="I will not pay.")
    evidence_add(
        case=case,
        author=owner,
        uploads=[
            SimpleUploadedFile("chat screenshot.png", png_bytes()),
            SimpleUploadedFile("invoice.txt", b"Invoice 42: 1200 USD"),
        ],
        details=EvidenceDetails(kind="invoice", caption="Proof"),
    )
    data = letter_defaults(case=case, kind="demand")
    letter_finalize(letter=letter_draft(case=case, author=owner, kind="demand", data=data), actor=owner, move_case=True)
    return case


def export(case, user, path: Path) -> Path:
    with open(path, "wb") as out:
        for piece in casefile_stream(case=case, user=user):
            out.write(piece)
    return path


def test_the_zip_holds_summary_evidence_letters_and_a_true_manifest(full_case, owner, tmp_path):
    path = export(full_case, owner, tmp_path / "case.zip")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert {"case-summary.pdf", "manifest.json"} <= names
        assert any(n.startswith("evidence/") and n.endswith("chat screenshot.png") for n in names)
        assert any(n.startswith("evidence/") and n.endswith("invoice.txt") for n in names)
        assert any(n.startswith("letters/") and n.endswith(".pdf") for n in names)
        assert manifest["exported_by"]["email"] == owner.email and manifest["exported_at"]
        assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "manifest.sig"}
        for item in manifest["files"]:
            data = archive.read(item["path"])
            assert hashlib.sha256(data).hexdigest() == item["sha256"] and len(data) == item["size"]
        # Every original's fingerprint is there: as the file's own, or beside its shared copy's.
        stored = {e.sha256 for e in Evidence.objects.filter(case=full_case)}
        assert stored <= {f["sha256"] for f in manifest["files"]} | {
            f.get("original_sha256") for f in manifest["files"]
        }
        summary = archive.read("case-summary.pdf")
    import pypdf

    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(summary)).pages)
    for expected in ("Unpaid logo", "Logo v1", "Logo v2 with guide", "I will not pay.", "Escalate one rung", "Proof"):
        assert expected in text, expected
    assert casefile_verify(str(path)).ok


def rewrite(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        extra = change("__extra__", None)
        if extra:
            new.writestr(*extra)
    return dst


def test_verify_reports_changed_missing_and_extra_files_by_name(full_case, owner, tmp_path):
    good = export(full_case, owner, tmp_path / "case.zip")
    evidence_name = next(n for n in zipfile.ZipFile(good).namelist() if n.endswith("invoice.txt"))

    def flip(name, data):
        if name == evidence_name:
            return bytes([data[0] ^ 1]) + data[1:]
        return None if name == "__extra__" else data

    def drop(name, data):
        return None if name in (evidence_name, "__extra__") else data

    def add(name, data):
        return ("evidence/planted.txt", b"not from Settle") if name == "__extra__" else data

    flipped = casefile_verify(str(rewrite(good, tmp_path / "flipped.zip", flip)))
    assert flipped.changed == [evidence_name] and not flipped.missing and not flipped.extra
    missing = casefile_verify(str(rewrite(good, tmp_path / "missing.zip", drop)))
    assert missing.missing == [evidence_name] and not missing.changed
    extra = casefile_verify(str(rewrite(good, tmp_path / "extra.zip", add)))
    assert extra.extra == ["evidence/planted.txt"] and not extra.changed

    call_command("verify_casefile", str(good))
    out = io.StringIO()
    with pytest.raises(CommandError, match="does NOT verify"):
        call_command("verify_casefile", str(tmp_path / "flipped.zip"), stdout=out)
    assert f"CHANGED  {evidence_name}" in out.getvalue()
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a ZIP"):
        call_command("verify_casefile", str(tmp_path / "junk.zip"))


def test_the_verify_page(client, full_case, owner, tmp_path):
    good = export(full_case, owner, tmp_path / "case.zip")
    client.force_login(UserFactory())  # anyone signed in may check a file they were given
    response = client.post(
        reverse("disputes:casefile_verify"), {"file": SimpleUploadedFile("c.zip", good.read_bytes())}
    )
    assert "match their fingerprints" in response.content.decode()
    tampered = rewrite(good, tmp_path / "t.zip", lambda n, d: None if n in ("case-summary.pdf", "__extra__") else d)
    response = client.post(
        reverse("disputes:casefile_verify"), {"file": SimpleUploadedFile("t.zip", tampered.read_bytes())}
    )
    page = response.content.decode()
    assert "<li>Missing: case-summary.pdf</li>" in page and "This case file does not verify" in page


def test_only_the_owner_and_staff_for_escalated_cases_export(client, full_case, owner, outsider, staff):
    url = reverse("disputes:casefile_export", args=[full_case.pk])
    staff_url = reverse("disputes:staff_casefile_export", args=[full_case.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404 and client.get(staff_url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 404
    assert client.get(staff_url).status_code == 404  # formal letter: not escalated
    case_move(case=full_case.__class__.objects.get(pk=full_case.pk), actor=owner, move="escalate", reason="support")
    response = client.get(staff_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))
    assert manifest["exported_by"]["email"] == staff.email
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_a_changed_evidence_file_is_noted_in_the_manifest(full_case, owner, tmp_path):
    item = Evidence.objects.get(case=full_case, original_name="invoice.txt")
    path = Path(item.file.path)
    path.write_bytes(path.read_bytes() + b"tampered")
    manifest = json.loads(zipfile.ZipFile(export(full_case, owner, tmp_path / "c.zip")).read("manifest.json"))
    [noted] = [f for f in manifest["files"] if f.get("stored_fingerprint")]
    assert noted["stored_fingerprint"] == item.sha256 and "changed" in noted["note"]


def test_a_file_missing_from_storage_is_listed_not_a_truncated_zip(full_case, owner, client, tmp_path):
    gone = Evidence.objects.filter(case=full_case, original_name="invoice.txt").get()
    Path(gone.file.path).unlink()
    client.force_login(owner)
    response = client.get(reverse("disputes:casefile_export", args=[full_case.pk]))
    assert response.status_code == 200
    path = tmp_path / "partial.zip"
    path.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # a complete, readable ZIP
        manifest = json.loads(archive.read("manifest.json"))
        summary = " ".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(archive.read("case-summary.pdf"))).pages
        )
        names = archive.namelist()
    [missing] = manifest["missing_from_storage"]
    assert missing["name"] == "invoice.txt" and missing["recorded_sha256"] == gone.sha256
    assert not any(name.endswith("invoice.txt") for name in names)
    assert "Missing from storage" in summary and "invoice.txt" in summary
    with open(path, "rb") as source:
        report = casefile_verify(source)
    assert report.ok and report.missing_at_export == [missing["path"]]
    out = io.StringIO()
    call_command("verify_casefile", str(path), stdout=out)
    assert f"NOTE     {missing['path']} was missing from storage" in out.getvalue()


def test_exporting_200_mb_of_evidence_keeps_memory_bounded(owner, tmp_path, settings):
    """Ten 20 MB evidence files: peak Python memory while streaming stays a few chunks (1 MB each), not 200 MB."""
    case = CaseFactory(project__client__owner=owner)
    now = timezone.now()
    folder = Path(settings.MEDIA_ROOT) / "evidence" / str(case.pk)
    folder.mkdir(parents=True)
    block = os.urandom(1024 * 1024)
    for index in range(10):
        path = folder / f"big{index}.bin.txt"
        digest = hashlib.sha256()
        with open(path, "wb") as out:
            for _ in range(20):
                out.write(block)
                digest.update(block)
        Evidence.objects.create(
            case=case,
            kind="other",
            file=f"evidence/{case.pk}/{path.name}",
            original_name=f"big{index}.txt",
            content_type="text/plain",
            extension=".txt",
            size=20 * 1024 * 1024,
            sha256=digest.hexdigest(),
            uploaded_by=owner,
            uploaded_at=now,
        )
    # The PDF engine loads its fonts and styles once per process: export a small case first, so the
    # measurement is of streaming the files, not of that one-time setup.
    for _ in casefile_stream(case=CaseFactory(project__client__owner=owner), user=owner):
        pass
    tracemalloc.start()
    started = time.perf_counter()
    total = 0
    for piece in casefile_stream(case=case, user=owner):
        total += len(piece)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    megabytes = total / 2**20
    print(f"\ncase file export: {megabytes:.0f} MB in {elapsed:.1f} s, peak Python memory {peak / 2**20:.1f} MB")
    assert total > 200 * 1024 * 1024
    assert peak < 16 * 1024 * 1024
    assert Decimal(peak) / total < Decimal("0.08")
