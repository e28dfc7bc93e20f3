"""Signed case files: what the verifier names when a file, the manifest or the timeline was changed."""

import base64
import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from disputes import signing
from disputes.models import CasefileCheck, CasefileExport, Seal
from disputes.rules import chain
from disputes.services.casefile import casefile_stream
from disputes.services.cases import case_move
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.proofs import given_keys
from disputes.services.timeline import entry_add
from disputes.services.verification import casefile_verify
from tests.conftest import gps_jpeg_bytes
from tests.factories import AgreementFactory, CaseFactory, UserFactory
from tests.services import require_openssl

pytestmark = pytest.mark.django_db

PRIVATE = "Lowest I would take: 700 EUR"


@pytest.fixture
def record(owner):
    case = CaseFactory(project__client__owner=owner, title="Unpaid site", stage="formal_letter")
    AgreementFactory(project=case.project, version=1, deliverables="Five pages")
    entry_add(case=case, author=owner, kind="message_in", channel="email", body="I will not pay.")
    entry_add(case=case, author=owner, kind="note", body=PRIVATE)
    entry_add(case=case, author=owner, kind="message_out", channel="email", body="The invoice is due.")
    evidence_add(
        case=case,
        author=owner,
        uploads=[SimpleUploadedFile("site photo.jpg", gps_jpeg_bytes()), SimpleUploadedFile("invoice.txt", b"42")],
        details=EvidenceDetails(kind="photo"),
    )
    return case_move(case=case, actor=owner, move="escalate", reason="No answer to the letter")


def export(case, user, path: Path) -> Path:
    path.write_bytes(b"".join(casefile_stream(case=case, user=user)))
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def relist(files: dict[str, bytes], name: str) -> None:
    """What a forger does: rewrite manifest.json so it matches a replaced file."""
    manifest = json.loads(files["manifest.json"])
    for item in manifest["files"]:
        if item["path"] == name:
            item["sha256"], item["size"] = hashlib.sha256(files[name]).hexdigest(), len(files[name])
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()


def test_a_fresh_case_file_verifies_on_every_count(record, owner, tmp_path):
    report = casefile_verify(str(export(record, owner, tmp_path / "c.zip")))
    assert report.ok, report
    assert report.signature == "valid" and report.key_label == "this installation's current key"
    assert report.key_fingerprint == signing.current_key().public.fingerprint
    assert report.chain.ok and report.chain.length == record.chain_length and report.chain.withheld == 1
    assert report.seals == 1 and not report.seal_problems
    assert report.timestamp == ""  # no authority configured


def test_a_replaced_file_with_a_rewritten_manifest_fails_the_signature(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    invoice = next(name for name in files if name.endswith("invoice.txt"))
    files[invoice] = b"Invoice 42: paid in full"
    relist(files, invoice)
    report = casefile_verify(str(repack(tmp_path / "forged.zip", files)))
    assert report.files_ok  # the rewritten manifest matches the replaced file...
    assert report.signature == "invalid" and not report.ok  # ...but it is not the manifest that was signed
    assert report.verdict == CasefileCheck.Verdict.DOES_NOT_VERIFY
    out = io.StringIO()
    with pytest.raises(CommandError, match="does NOT verify"):
        call_command("verify_casefile", str(tmp_path / "forged.zip"), stdout=out)
    assert "FORGED   the signature does not match manifest.json" in out.getvalue()


def test_a_replaced_file_alone_is_named(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    invoice = next(name for name in files if name.endswith("invoice.txt"))
    files[invoice] = b"Invoice 42: paid in full"
    report = casefile_verify(str(repack(tmp_path / "swapped.zip", files)))
    assert report.signature == "valid" and report.changed == [invoice] and not report.ok


def _timeline(files: dict[str, bytes]) -> dict:
    return json.loads(files["timeline.json"])


def test_a_removed_timeline_entry_is_named(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    timeline = _timeline(files)
    del timeline["entries"][2]  # the third entry
    files["timeline.json"] = json.dumps(timeline).encode()
    report = casefile_verify(str(repack(tmp_path / "removed.zip", files)))
    assert report.changed == ["timeline.json"]
    assert (report.chain.broken_at, report.chain.reason) == (3, "entry 3 is missing or out of order")
    # Re-listing timeline.json in the manifest only moves the failure to the signature.
    relist(files, "timeline.json")
    report = casefile_verify(str(repack(tmp_path / "relisted.zip", files)))
    assert report.files_ok and report.signature == "invalid" and report.chain.broken_at == 3


def test_a_reordered_chain_is_named(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    timeline = _timeline(files)
    entries = timeline["entries"]
    entries[1], entries[2] = entries[2], entries[1]
    files["timeline.json"] = json.dumps(timeline).encode()
    report = casefile_verify(str(repack(tmp_path / "reordered.zip", files)))
    assert report.chain.broken_at == 2 and not report.ok


def test_a_reworded_entry_rechained_by_a_forger_is_named(record, owner, tmp_path):
    """Rewording a message and recomputing every link after it still ends at a head the signed manifest lacks."""
    files = members(export(record, owner, tmp_path / "c.zip"))
    timeline = _timeline(files)
    previous = chain.GENESIS
    for link in timeline["entries"]:
        if link["content"] and link["content"]["body"] == "I will not pay.":
            link["content"]["body"] = "I will pay."
        if link["content"] is not None:
            link["content_sha256"] = chain.content_hash(link["content"])
        link["previous_sha256"] = previous
        link["entry_sha256"] = previous = chain.link_hash(previous, link["content_sha256"])
    files["timeline.json"] = json.dumps(timeline).encode()
    relist(files, "timeline.json")
    report = casefile_verify(str(repack(tmp_path / "rechained.zip", files)))
    assert report.chain.reason == "the last entry is not the recorded head"
    assert report.signature == "invalid" and not report.ok


def test_a_file_signed_by_another_installation_gets_a_clear_verdict(record, owner, tmp_path, settings):
    path = export(record, owner, tmp_path / "theirs.zip")
    theirs = signing.current_key().public
    settings.SIGNING_KEY_DIR = tmp_path / "our-keys"  # this installation has its own key
    report = casefile_verify(str(path))
    assert report.signature == "unknown_key" and report.key_fingerprint == theirs.fingerprint and not report.ok
    # Given their published key, it verifies.
    trusting = casefile_verify(str(path), keys=given_keys([theirs.pem]))
    assert trusting.ok and trusting.key_label == "the public key you gave"
    (tmp_path / "theirs.pem").write_text(theirs.pem)
    out = io.StringIO()
    call_command("verify_casefile", str(path), "--public-key", str(tmp_path / "theirs.pem"), stdout=out)
    assert "SIGNED   by the public key you gave" in out.getvalue()


def test_a_garbled_signature_or_key_is_a_verdict_not_a_500(record, owner, tmp_path, client):
    files = members(export(record, owner, tmp_path / "c.zip"))
    files["manifest.sig"] = b"\x00" * 64
    manifest = json.loads(files["manifest.json"])
    manifest["signing_key"]["public_key"] = "not base64!"
    client.force_login(owner)
    for name, data in {"sig.zip": files, "key.zip": {**files, "manifest.json": json.dumps(manifest).encode()}}.items():
        body = repack(tmp_path / name, data).read_bytes()
        response = client.post(reverse("disputes:casefile_verify"), {"file": SimpleUploadedFile(name, body)})
        assert response.status_code == 200
        assert "Signature does not hold" in response.content.decode()


def test_the_page_says_which_checks_held(record, owner, tmp_path, client):
    path = export(record, owner, tmp_path / "c.zip")
    client.force_login(UserFactory())
    page = client.post(
        reverse("disputes:casefile_verify"), {"file": SimpleUploadedFile("c.zip", path.read_bytes())}
    ).content.decode()
    for expected in ("This case file verifies", "Signature holds", "Timeline chain holds", "1 private note", "1 seal"):
        assert expected in page, expected
    assert CasefileCheck.objects.get().verdict == "ok"


def test_the_page_accepts_another_installations_key_and_refuses_junk(record, owner, tmp_path, client, settings):
    path = export(record, owner, tmp_path / "c.zip")
    theirs = signing.current_key().public.pem
    settings.SIGNING_KEY_DIR = tmp_path / "our-keys"
    client.force_login(owner)
    url = reverse("disputes:casefile_verify")
    page = client.post(url, {"file": SimpleUploadedFile("c.zip", path.read_bytes())}).content.decode()
    assert "Signed by a key not trusted here" in page
    page = client.post(
        url, {"file": SimpleUploadedFile("c.zip", path.read_bytes()), "public_key": theirs}
    ).content.decode()
    assert "This case file verifies" in page and "the public key you gave" in page
    response = client.post(url, {"file": SimpleUploadedFile("c.zip", path.read_bytes()), "public_key": "hello"})
    assert "This is not a public key Settle can use" in response.content.decode()


def test_key_rotation_keeps_old_case_files_and_seals_verifiable(record, owner, tmp_path):
    old_key = signing.current_key().public
    before = export(record, owner, tmp_path / "before.zip")
    call_command("signing_key", "--rotate", stdout=io.StringIO())
    new_key = signing.current_key().public
    assert new_key.fingerprint != old_key.fingerprint
    assert len(list(Path(signing.key_dir()).glob("*.key"))) == 1  # the old private half is gone
    after = export(record, owner, tmp_path / "after.zip")
    old_report, new_report = casefile_verify(str(before)), casefile_verify(str(after))
    assert old_report.ok and old_report.key_label.startswith("a key this installation used until")
    assert new_report.ok and new_report.key_fingerprint == new_key.fingerprint
    assert new_report.seals == 1 and not new_report.seal_problems  # the seal was made with the old key


def test_every_export_is_recorded_with_its_manifest_fingerprint(record, owner, staff, tmp_path):
    path = export(record, owner, tmp_path / "c.zip")
    export(record, staff, tmp_path / "s.zip")
    mine, theirs = CasefileExport.objects.order_by("id")
    manifest = members(path)["manifest.json"]
    assert mine.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    assert (mine.exported_by, theirs.exported_by) == (owner, staff)
    assert mine.chain_head == record.chain_head and mine.key_fingerprint == signing.current_key().public.fingerprint


def test_private_notes_stay_out_of_the_case_file_but_keep_the_chain(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    timeline = _timeline(files)
    [withheld] = [link for link in timeline["entries"] if not link["shared"]]
    assert withheld["content"] is None and len(withheld["content_sha256"]) == 64
    assert PRIVATE.encode() not in b"".join(files.values())
    summary = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(files["case-summary.pdf"])).pages)
    assert "Lowest I would take" not in summary and "Private note of the freelancer" in summary


def test_photos_go_out_without_their_gps_position(record, owner, staff, client, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    photo_name = next(name for name in files if name.endswith(".jpg"))
    assert b"PhoneMaker" not in files[photo_name]
    assert not Image.open(io.BytesIO(files[photo_name])).getexif()
    manifest = json.loads(files["manifest.json"])
    [listed] = [item for item in manifest["files"] if item["path"] == photo_name]
    photo = record.evidence.get(original_name="site photo.jpg")
    assert listed["original_sha256"] == photo.sha256 and listed["sha256"] == photo.shared_copy.sha256
    evidence_entry = record.entries.get(kind="evidence", body__contains="site photo")
    assert evidence_entry.fingerprints == f"{photo.sha256},{photo.shared_copy.sha256}"  # both on the chain
    # Staff get the copy; the owner still has the original, GPS and all.
    client.force_login(staff)
    staff_file = b"".join(client.get(reverse("disputes:staff_evidence", args=[record.pk, photo.pk])).streaming_content)
    assert b"PhoneMaker" not in staff_file and hashlib.sha256(staff_file).hexdigest() == photo.shared_copy.sha256
    client.force_login(owner)
    original = b"".join(client.get(reverse("disputes:evidence_download", args=[record.pk, photo.pk])).streaming_content)
    assert b"PhoneMaker" in original and hashlib.sha256(original).hexdigest() == photo.sha256


def test_reaching_platform_support_seals_the_chain_head(record):
    seal = Seal.objects.get(case=record)
    sealed = record.entries.get(sequence=seal.sequence)
    assert sealed.kind == "stage_change" and sealed.to_stage == "platform_support"
    assert seal.head == sealed.entry_sha256 and seal.entry.kind == "seal"
    assert seal.entry.sequence == seal.sequence + 1  # the seal is itself the next link
    key = signing.current_key().public.key
    assert signing.signature_holds(key, base64.b64decode(seal.signature), seal.statement.encode())
    statement = json.loads(seal.statement)
    assert (statement["case"], statement["sequence"], statement["head"]) == (record.pk, seal.sequence, seal.head)
    # Mediation seals again; a note does not.
    moved = case_move(case=record, actor=record.owner, move="escalate", reason="Support could not decide")
    entry_add(case=moved, author=moved.owner, kind="note", body="x")
    assert Seal.objects.filter(case=record).count() == 2


def test_a_forged_seal_is_named(record, owner, tmp_path):
    files = members(export(record, owner, tmp_path / "c.zip"))
    timeline = _timeline(files)
    statement = json.loads(timeline["seals"][0]["statement"])
    statement["sequence"] = 1
    timeline["seals"][0]["statement"] = json.dumps(statement)
    files["timeline.json"] = json.dumps(timeline).encode()
    report = casefile_verify(str(repack(tmp_path / "seal.zip", files)))
    assert report.chain.ok
    assert report.seal_problems == ["Seal 1 names entry 1 with a head the chain does not have."]


def test_verifying_needs_neither_the_database_nor_the_network(record, owner, tmp_path, django_assert_num_queries):
    path = export(record, owner, tmp_path / "c.zip")
    keys = given_keys([signing.current_key().public.pem])
    with django_assert_num_queries(0):
        assert casefile_verify(str(path), keys=keys, timestamp_roots=[]).ok


def test_openssl_and_sha256sum_check_it_by_hand_as_the_howto_says(record, owner, tmp_path):
    require_openssl()
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(export(record, owner, tmp_path / "c.zip")) as archive:
        archive.extractall(folder)
    howto = (folder / "HOW-TO-VERIFY.txt").read_text()
    assert signing.current_key().public.fingerprint in howto

    def run(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, shell=True, cwd=folder, capture_output=True, text=True)  # noqa: S602

    fingerprint = run("openssl pkey -pubin -in settle-signing-key.pem -outform DER | tail -c 32 | sha256sum")
    assert fingerprint.stdout.split()[0] == signing.current_key().public.fingerprint
    verify = (
        "openssl pkeyutl -verify -pubin -inkey settle-signing-key.pem -rawin -in manifest.json -sigfile manifest.sig"
    )
    assert "Signature Verified Successfully" in run(verify).stdout
    assert run("sha256sum -c SHA256SUMS").returncode == 0
    (folder / "manifest.json").write_text((folder / "manifest.json").read_text().replace("Unpaid", "Paid"))
    assert "Signature Verified Successfully" not in run(verify).stdout


def test_the_export_asks_the_same_queries_for_2_and_12_photos(owner, tmp_path):
    counts = []
    for photos in (2, 12):
        case = CaseFactory(project__client__owner=owner)
        evidence_add(
            case=case,
            author=owner,
            uploads=[SimpleUploadedFile(f"p{i}.jpg", gps_jpeg_bytes()) for i in range(photos)],
            details=EvidenceDetails(kind="photo"),
        )
        with CaptureQueriesContext(connection) as queries:
            b"".join(casefile_stream(case=case, user=owner))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
