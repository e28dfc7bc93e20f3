"""Trusted timestamps from a real RFC 3161 authority (OpenSSL's `ts`), on case files and seals."""

import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from disputes import timestamps
from disputes.models import CasefileExport, Seal, SealTimestamp
from disputes.services.casefile import casefile_stream
from disputes.services.cases import case_move
from disputes.services.record import seals_timestamp_pending
from disputes.services.verification import casefile_verify
from tests.factories import CaseFactory
from tests.services import require_openssl
from tests.tsa import start_authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority(tmp_path, settings):
    require_openssl()
    running = start_authority(tmp_path / "tsa")
    settings.TIMESTAMP_AUTHORITY_URL = running.url
    settings.TIMESTAMP_AUTHORITY_CA = str(running.root_pem)
    yield running
    running.stop()


def export(case, tmp_path, name="c.zip"):
    path = tmp_path / name
    path.write_bytes(b"".join(casefile_stream(case=case, user=case.owner)))
    return path


def escalated():
    case = CaseFactory(stage="formal_letter")
    return case_move(case=case, actor=case.owner, move="escalate", reason="No answer")


def test_a_case_file_carries_a_token_the_verifier_checks(authority, tmp_path):
    path = export(escalated(), tmp_path)
    report = casefile_verify(str(path))
    assert report.ok and report.timestamp == "valid"
    assert "Test Timestamp Authority" in report.timestamp_check.authority
    assert abs((report.timestamp_check.stamped_at - timezone.now()).total_seconds()) < 120
    record = CasefileExport.objects.get()
    assert record.timestamp_token and not record.timestamp_note


def test_a_seal_is_timestamped_after_commit(authority, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued at commit (eager in the tests)
        case = escalated()
    seal = Seal.objects.get(case=case)
    stamp = SealTimestamp.objects.get(seal=seal)
    check = timestamps.token_check(bytes(stamp.token), seal.statement.encode(), roots=timestamps.load_roots())
    assert check.ok and stamp.authority == authority.url


def test_the_token_is_checked_against_the_trusted_root_only(authority, tmp_path):
    path = export(escalated(), tmp_path)
    stranger = start_authority(tmp_path / "other")
    try:
        report = casefile_verify(str(path), timestamp_roots=timestamps.load_roots(stranger.root_pem))
    finally:
        stranger.stop()
    assert report.timestamp == "invalid" and "does not verify against the trusted authority" in (
        report.timestamp_check.reason
    )
    assert not report.ok


def test_a_token_over_something_else_is_named(authority, tmp_path):
    path = export(escalated(), tmp_path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    forged = tmp_path / "forged.zip"
    manifest = json.loads(files["manifest.json"])
    manifest["exported_at"] = "2020-01-01T00:00:00+00:00"
    with zipfile.ZipFile(forged, "w") as archive:
        for name, data in {**files, "manifest.json": json.dumps(manifest).encode()}.items():
            archive.writestr(name, data)
    report = casefile_verify(str(forged))
    assert report.signature == "invalid" and report.timestamp == "invalid"
    assert report.timestamp_check.reason == "it stamps something else than this file"


def test_an_expired_authority_certificate_is_refused_with_a_clear_reason(tmp_path, settings):
    require_openssl()
    expired = start_authority(tmp_path / "expired", expired=True)
    settings.TIMESTAMP_AUTHORITY_URL = expired.url
    settings.TIMESTAMP_AUTHORITY_CA = str(expired.root_pem)
    try:
        with pytest.raises(timestamps.TimestampError, match="certificate was not valid at"):
            timestamps.request_token(b"anything")
        case = escalated()
        path = export(case, tmp_path)  # the export goes out without a token, and says why
    finally:
        expired.stop()
    assert not SealTimestamp.objects.exists()
    record = CasefileExport.objects.get()
    assert record.timestamp_token is None and "certificate was not valid at" in record.timestamp_note
    assert "manifest.tsr" not in zipfile.ZipFile(path).namelist()
    assert casefile_verify(str(path)).ok  # signed and whole; simply not timestamped


def test_an_unreachable_authority_does_not_stop_an_export_and_seals_catch_up(tmp_path, settings, authority):
    settings.TIMESTAMP_AUTHORITY_URL = "http://127.0.0.1:9/unreachable"
    case = escalated()
    path = export(case, tmp_path)
    assert "manifest.tsr" not in zipfile.ZipFile(path).namelist()
    assert "could not be reached" in CasefileExport.objects.get().timestamp_note
    assert not SealTimestamp.objects.exists()
    settings.TIMESTAMP_AUTHORITY_URL = authority.url  # back up: the hourly job stamps what is missing
    assert seals_timestamp_pending(now=timezone.now()) == 1
    assert seals_timestamp_pending(now=timezone.now()) == 0  # once per seal


def test_the_command_checks_a_token_offline_given_the_root(authority, tmp_path, settings):
    path = export(escalated(), tmp_path)
    root = str(authority.root_pem)
    settings.TIMESTAMP_AUTHORITY_CA = ""
    out = StringIO()
    call_command("verify_casefile", str(path), stdout=out)
    assert "STAMP    unchecked" in out.getvalue()
    out = StringIO()
    call_command("verify_casefile", str(path), "--tsa-ca", root, stdout=out)
    assert "STAMPED  by" in out.getvalue() and "Test Timestamp Authority" in out.getvalue()
