"""Storing evidence files with their fingerprints."""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from disputes.models import Case, Evidence, TimelineEntry
from disputes.rules import dates
from disputes.services.common import ensure_owner
from disputes.services.timeline import entry_append
from disputes.uploads import Inspection, UploadRefused, file_sha256, inspect_upload, make_thumbnail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceDetails:
    kind: str
    caption: str = ""
    captured_on: datetime.date | None = None
    entry: TimelineEntry | None = None


class EvidenceRefused(Exception):
    """One or more files cannot be kept. `errors` maps file names to reasons."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in errors.items()))


def evidence_add(*, case: Case, author: User, uploads: list[UploadedFile], details: EvidenceDetails) -> list[Evidence]:
    """Check every file, then store them all, or nothing.

    Each file is checked by content first (type, size, image pixel count);
    if any one is refused, EvidenceRefused is raised before anything is
    written. The rows, their "evidence added" timeline entries and the files
    are then written in one transaction; if it fails, the files already put
    on disk are removed again, so no orphan file or row is left.
    """
    ensure_owner(case, author)
    if details.entry is not None and details.entry.case_id != case.pk:
        raise ValidationError({"entry": "That timeline entry belongs to another case."})
    if details.kind not in Evidence.Kind.values:
        raise ValidationError({"kind": "Pick what kind of evidence this is."})
    if details.captured_on is not None and not dates.in_range(details.captured_on):
        raise ValidationError({"captured_on": dates.OUT_OF_RANGE})

    checked: list[tuple[UploadedFile, Inspection, bytes | None]] = []
    errors: dict[str, str] = {}
    for upload in uploads:
        try:
            inspection = inspect_upload(upload)
            thumbnail = make_thumbnail(upload) if inspection.is_image else None
        except UploadRefused as refusal:
            errors[upload.name] = str(refusal)
            continue
        except Exception:  # A decoder failing on hostile bytes must not become a 500.
            logger.warning("Could not process upload %r", upload.name, exc_info=True)
            errors[upload.name] = "This file could not be read. It may be damaged."
            continue
        checked.append((upload, inspection, thumbnail))
    if errors:
        raise EvidenceRefused(errors)
    if not checked:
        raise EvidenceRefused({"": "Choose at least one file."})

    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            for upload, inspection, thumbnail in checked:
                stored.append(_store_one(case, author, upload, inspection, thumbnail, details))
    except BaseException:
        for evidence in stored:
            _remove_files(evidence)
        raise
    return stored


def _store_one(
    case: Case,
    author: User,
    upload: UploadedFile,
    inspection: Inspection,
    thumbnail: bytes | None,
    details: EvidenceDetails,
) -> Evidence:
    now = timezone.now()
    evidence = Evidence(
        case=case,
        entry=details.entry,
        kind=details.kind,
        caption=details.caption.strip(),
        captured_on=details.captured_on,
        original_name=upload.name[:255],
        content_type=inspection.content_type,
        extension=inspection.extension,
        size=inspection.size,
        sha256=inspection.sha256,
        uploaded_by=author,
        uploaded_at=now,
    )
    upload.seek(0)
    evidence.file.save("upload", upload, save=False)
    try:
        if thumbnail is not None:
            evidence.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
        evidence.save()
        entry_append(
            case=case,
            author=author,
            kind=TimelineEntry.Kind.EVIDENCE,
            body=f"{evidence.get_kind_display()}: {evidence.caption or evidence.original_name}",
            now=now,
        )
    except BaseException:
        _remove_files(evidence)
        raise
    return evidence


def _remove_files(evidence: Evidence) -> None:
    for field in (evidence.file, evidence.thumbnail):
        if field and field.name:
            field.storage.delete(field.name)


def evidence_verify(*, evidence: Evidence) -> str:
    """Check a stored file against its fingerprint: "intact", "changed" or "missing"."""
    try:
        with evidence.file.open("rb") as stored:
            digest = file_sha256(stored)
    except (FileNotFoundError, ValueError):
        return "missing"
    return "intact" if digest == evidence.sha256 else "changed"
