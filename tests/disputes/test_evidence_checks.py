"""Fingerprint checks are kept per file: the staff page shows the latest one, never re-reads on every view."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from disputes.models import Evidence, EvidenceCheck, TimelineEntry
from disputes.services.cases import case_move
from disputes.services.evidence import EvidenceDetails, evidence_add, evidence_recheck_due
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


def upload(case, name="contract.png"):
    [evidence] = evidence_add(
        case=case,
        author=case.owner,
        uploads=[SimpleUploadedFile(name, png_bytes())],
        details=EvidenceDetails(kind="contract"),
    )
    return evidence


@pytest.fixture
def escalated(case):
    return case_move(case=case, actor=case.owner, move="fast_track", reason="Threats", ground="conduct")


def flip_a_byte(evidence) -> None:
    path = Path(evidence.file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_upload_is_the_first_check(case):
    evidence = upload(case)
    [check] = evidence.checks.all()
    assert (check.result, check.trigger, check.checked_by) == ("intact", "upload", case.owner)


def test_the_staff_page_shows_the_latest_check_without_reading_the_files(client, staff, escalated, monkeypatch):
    evidence = upload(escalated)
    flip_a_byte(evidence)
    client.force_login(staff)

    def no_reading(*args, **kwargs):
        raise AssertionError("the page read a stored file")

    monkeypatch.setattr("disputes.services.evidence.evidence_verify", no_reading)
    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.open", no_reading)
    html = client.get(reverse("disputes:staff_case", args=[escalated.pk])).content.decode()
    assert "fingerprint matches" in html and 'data-testid="checked-at"' in html  # as of the upload
    assert 'data-testid="tampered"' not in html


def test_checking_now_finds_a_changed_byte_and_the_page_says_so_loudly(
    client, staff, escalated, django_capture_on_commit_callbacks
):
    evidence = upload(escalated)
    flip_a_byte(evidence)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("disputes:staff_evidence_check", args=[escalated.pk]), follow=True)
    assert "Checking the fingerprint of 1 file" in response.content.decode()
    latest = evidence.checks.first()
    assert (latest.result, latest.trigger, latest.checked_by) == ("changed", "on_demand", staff)
    html = client.get(reverse("disputes:staff_case", args=[escalated.pk])).content.decode()
    assert 'data-testid="tampered"' in html and "CHANGED" in html and "contract.png" in html
    Path(evidence.file.path).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("disputes:staff_evidence_check", args=[escalated.pk]))
    assert "file missing" in client.get(reverse("disputes:staff_case", args=[escalated.pk])).content.decode()


def test_the_nightly_check_takes_the_oldest_first_and_is_bounded(case, settings):
    settings.EVIDENCE_RECHECK_MAX_FILES = 2
    settings.EVIDENCE_RECHECK_DAYS = 7
    files = [upload(case, f"f{i}.png") for i in range(3)]
    now = timezone.now()
    assert evidence_recheck_due(now=now) == 0  # all checked at upload, today
    flip_a_byte(files[1])
    later = now + dt.timedelta(days=8)
    assert evidence_recheck_due(now=later) == 2
    assert evidence_recheck_due(now=later) == 1  # the third, next run
    assert evidence_recheck_due(now=later) == 0
    assert files[1].checks.first().result == "changed" and files[1].checks.first().trigger == "schedule"


@pytest.mark.django_db(transaction=True)
def test_files_are_copied_outside_the_transaction_that_records_them(case, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    in_transaction = []
    real_save = FileSystemStorage._save

    def watching_save(self, name, content):
        in_transaction.append(connection.in_atomic_block)
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", watching_save)
    upload(case)
    assert in_transaction == [False, False, False]  # the file, its thumbnail and its shared copy


@pytest.mark.django_db(transaction=True)
def test_when_recording_fails_the_copied_files_are_removed(case, monkeypatch, settings):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("disputes.services.evidence.entry_append", fail)
    with pytest.raises(RuntimeError):
        upload(case)
    assert not Evidence.objects.exists() and not TimelineEntry.objects.filter(kind="evidence").exists()
    assert not EvidenceCheck.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
