import hashlib
import io
import os
import stat
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from disputes.models import Evidence, TimelineEntry
from tests.conftest import jpeg_bytes, png_bytes
from tests.factories import CaseFactory, EntryFactory

pytestmark = pytest.mark.django_db


def upload(client, case, *files, **fields):
    data = {"files": list(files), "kind": "screenshot", "caption": "", **fields}
    return client.post(reverse("disputes:evidence_upload", args=[case.pk]), data)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size but carries no real pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_an_image_is_stored_under_a_server_chosen_private_name_with_its_sha256(owner_client, case):
    content = png_bytes()
    response = upload(owner_client, case, SimpleUploadedFile("../../etc/passwd.png", content), caption="Chat")
    assert response.status_code == 302
    evidence = Evidence.objects.get(case=case)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == "image/png"
    assert evidence.original_name == "passwd.png"  # Django strips the path; kept only as data
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence" / str(case.pk))
    assert "passwd" not in stored.name and stored.suffix == ".png"
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert not stored.is_relative_to(settings.BASE_DIR / "static")
    assert evidence.thumbnail
    assert TimelineEntry.objects.filter(case=case, kind="evidence").count() == 1


def test_several_files_at_once(owner_client, case):
    response = upload(
        owner_client,
        case,
        SimpleUploadedFile("a.png", png_bytes()),
        SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        SimpleUploadedFile("notes.txt", "Agreed on 3 rounds. Ünïcödé ok.".encode()),
        kind="invoice",
    )
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
        "text/plain",
    ]


def test_evidence_can_be_tied_to_an_entry_of_the_same_case_only(owner_client, case):
    mine = EntryFactory(case=case)
    other = EntryFactory(case=CaseFactory(project__client__owner=case.owner))
    assert upload(owner_client, case, SimpleUploadedFile("a.png", png_bytes()), entry=other.pk).status_code == 400
    assert not Evidence.objects.exists()
    assert upload(owner_client, case, SimpleUploadedFile("a.png", png_bytes()), entry=mine.pk).status_code == 302
    assert Evidence.objects.get().entry == mine


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!DOCTYPE html><html><body>hi</body></html>"),
        ("innocent.png", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("data.xml", b'<?xml version="1.0"?><svg/>'),
        ("notes.txt", b"Dear client,\n<script>alert(document.cookie)</script>"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(100)),
        ("photo.jpg", bytes(range(256)) * 4),
        ("broken.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00garbage" * 50),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"nonsense" * 20),
    ],
)
def test_refused_types_leave_nothing_stored(owner_client, case, name, content):
    response = upload(owner_client, case, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not Evidence.objects.exists()
    assert not TimelineEntry.objects.filter(case=case).exists()
    assert stored_files() == []


def test_one_bad_file_refuses_the_whole_upload(owner_client, case):
    response = upload(
        owner_client,
        case,
        SimpleUploadedFile("good.png", png_bytes()),
        SimpleUploadedFile("bad.html", b"<html></html>"),
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists() and stored_files() == []


def test_the_size_limit_is_enforced_while_streaming(owner_client, case, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 2048
    response = upload(owner_client, case, SimpleUploadedFile("big.txt", b"a" * 5000))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files() == []
    assert upload(owner_client, case, SimpleUploadedFile("ok.txt", b"a" * 2000)).status_code == 302


def test_too_many_files_at_once_are_refused(owner_client, case, settings):
    settings.EVIDENCE_MAX_FILES_PER_UPLOAD = 2
    files = [SimpleUploadedFile(f"{i}.txt", b"hello") for i in range(3)]
    response = upload(owner_client, case, *files)
    assert response.status_code == 400
    assert "at most 2" in response.content.decode()
    assert not Evidence.objects.exists()


def test_empty_file_and_no_file_are_refused(owner_client, case):
    assert upload(owner_client, case, SimpleUploadedFile("empty.txt", b"")).status_code == 400
    response = owner_client.post(reverse("disputes:evidence_upload", args=[case.pk]), {"kind": "other"})
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_thumbnail_has_no_exif_or_gps_and_orientation_is_applied(owner_client, case):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.0)
    original = jpeg_bytes(size=(64, 48), exif=exif.tobytes())
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif()[0x010F] == "SpyCam" and check.getexif().get_ifd(0x8825)
    assert upload(owner_client, case, SimpleUploadedFile("gps.jpg", original)).status_code == 302
    evidence = Evidence.objects.get()
    thumb_bytes = Path(evidence.thumbnail.path).read_bytes()
    with Image.open(io.BytesIO(thumb_bytes)) as thumb:
        assert dict(thumb.getexif()) == {}
        assert thumb.size == (48, 64)
        assert "exif" not in thumb.info and "icc_profile" not in thumb.info
    assert b"SpyCam" not in thumb_bytes
    # The original is kept byte for byte: it is the evidence.
    assert Path(evidence.file.path).read_bytes() == original


def test_a_pixel_bomb_is_refused_without_decoding(owner_client, case, monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_header_only(30_000, 30_000)
    assert len(bomb) < 200
    response = upload(owner_client, case, SimpleUploadedFile("bomb.png", bomb))
    assert response.status_code == 400
    assert "pixels" in response.content.decode() or "too large" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files() == []


def test_the_pixel_limit_is_a_setting(owner_client, case, settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 100
    response = upload(owner_client, case, SimpleUploadedFile("small.png", png_bytes(size=(20, 20))))
    assert response.status_code == 400
    assert "over the limit" in response.content.decode()


def test_download_is_an_attachment_with_nosniff_for_the_owner_only(owner_client, case, client, outsider):
    content = b"Plain words"
    upload(owner_client, case, SimpleUploadedFile('evil"name\r\n.txt', content))
    evidence = Evidence.objects.get()
    url = reverse("disputes:evidence_download", args=[case.pk, evidence.pk])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_evidence_of_another_case_cannot_be_reached_through_my_case(owner_client, case):
    other_case = CaseFactory()
    other = Evidence.objects.create(
        case=other_case,
        kind="other",
        file="evidence/x/y.txt",
        original_name="secret.txt",
        content_type="text/plain",
        extension=".txt",
        size=1,
        sha256="0" * 64,
        uploaded_by=other_case.owner,
        uploaded_at=other_case.opened_at,
    )
    for name in ("evidence_download", "evidence_thumbnail", "evidence_detail"):
        assert owner_client.get(reverse(f"disputes:{name}", args=[case.pk, other.pk])).status_code == 404


def test_thumbnail_is_served_inline_as_jpeg(owner_client, case):
    upload(owner_client, case, SimpleUploadedFile("a.png", png_bytes()))
    evidence = Evidence.objects.get()
    response = owner_client.get(reverse("disputes:evidence_thumbnail", args=[case.pk, evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_the_same_service_refuses_bad_files_from_any_caller(case, owner):
    from disputes.services.evidence import EvidenceDetails, EvidenceRefused, evidence_add

    with pytest.raises(EvidenceRefused):
        evidence_add(
            case=case,
            author=owner,
            uploads=[SimpleUploadedFile("x.svg", b"<svg></svg>")],
            details=EvidenceDetails(kind="other"),
        )
    assert stored_files() == []
