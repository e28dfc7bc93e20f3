"""Files on S3-compatible object storage (moto's S3 server): the same checks, streamed, never held whole."""

import hashlib
import io
import json
import os
import tracemalloc
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from disputes.health import health_report
from disputes.models import Evidence
from disputes.services.casefile import casefile_stream
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.sweep import sweep_run
from tests.conftest import png_bytes
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def objects(s3_server, bucket) -> dict[str, int]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: item["Size"] for item in listed}


def test_uploads_land_in_the_bucket_under_server_names_and_download_through_the_view(
    s3_storage, s3_server, owner_client, case
):
    data = png_bytes((300, 200))
    response = owner_client.post(
        reverse("disputes:evidence_upload", args=[case.pk]),
        {"files": [SimpleUploadedFile("../../etc/passwd.png", data)], "kind": "photo"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(case=case)
    stored = objects(s3_server, s3_storage)
    assert evidence.file.name in stored and "passwd" not in evidence.file.name
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    download = owner_client.get(reverse("disputes:evidence_download", args=[case.pk, evidence.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == data
    # The metadata-free thumbnail is in the bucket too.
    assert evidence.thumbnail and evidence.thumbnail.name in stored


def test_a_file_missing_from_the_bucket_is_a_404_and_listed_in_the_case_file(s3_storage, s3_server, owner_client, case):
    [evidence] = evidence_add(
        case=case,
        author=case.owner,
        uploads=[SimpleUploadedFile("a.txt", b"hello")],
        details=EvidenceDetails(kind="other"),
    )
    s3_server.client().delete_object(Bucket=s3_storage, Key=evidence.file.name)
    assert owner_client.get(reverse("disputes:evidence_download", args=[case.pk, evidence.pk])).status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(b"".join(casefile_stream(case=case, user=case.owner))))
    manifest = json.loads(archive.read("manifest.json"))
    assert [item["recorded_sha256"] for item in manifest["missing_from_storage"]] == [evidence.sha256]


def test_a_large_case_file_streams_from_the_bucket_with_bounded_memory(s3_storage, s3_server, owner):
    case = CaseFactory(project__client__owner=owner)
    client = s3_server.client()
    block = os.urandom(1024 * 1024)
    digests = []
    for index in range(3):
        key = f"evidence/{case.pk}/big{index}.txt"
        body = block * 20
        client.put_object(Bucket=s3_storage, Key=key, Body=body)
        digests.append(hashlib.sha256(body).hexdigest())
        Evidence.objects.create(
            case=case, kind="other", file=key, original_name=f"big{index}.txt", content_type="text/plain",
            extension=".txt", size=len(body), sha256=digests[-1], uploaded_by=owner, uploaded_at=timezone.now(),
        )  # fmt: skip
    # One-time setup outside the measurement: the PDF engine's fonts, and boto3's client and API models.
    warm = CaseFactory(project__client__owner=owner)
    evidence_add(
        case=warm, author=owner, uploads=[SimpleUploadedFile("w.txt", b"warm")], details=EvidenceDetails(kind="other")
    )
    for _ in casefile_stream(case=warm, user=owner):
        pass
    tracemalloc.start()
    chunks, total = [], 0
    digest_of_zip = hashlib.sha256()
    for piece in casefile_stream(case=case, user=owner):
        total += len(piece)
        digest_of_zip.update(piece)
        chunks.append(len(piece))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\ncase file from S3: {total / 2**20:.0f} MB, peak Python memory {peak / 2**20:.1f} MB")
    assert total > 60 * 1024 * 1024 and peak < 12 * 1024 * 1024


def test_the_manifest_of_a_case_file_from_the_bucket_is_true(s3_storage, owner):
    case = CaseFactory(project__client__owner=owner)
    evidence_add(
        case=case,
        author=owner,
        uploads=[SimpleUploadedFile("note.txt", b"a note")],
        details=EvidenceDetails(kind="other"),
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(casefile_stream(case=case, user=owner))))
    for item in json.loads(archive.read("manifest.json"))["files"]:
        assert hashlib.sha256(archive.read(item["path"])).hexdigest() == item["sha256"]


def test_health_and_the_sweep_use_the_bucket(s3_storage, s3_server):
    default_storage.save("imports/old.upload", io.BytesIO(b"left behind"))
    sweep_run()
    healthy, report = health_report()
    assert report["storage"] == {"status": "ok"} and healthy
    assert not [key for key in objects(s3_server, s3_storage) if key.startswith("health/")]
