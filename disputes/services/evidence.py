"""Storing evidence files with their fingerprints."""

import dataclasses
import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.languages import on_the_record
from disputes.models import Case, Evidence, EvidenceCheck, EvidenceCopy, EvidenceTag, TimelineEntry
from disputes.queue import enqueue_after_commit
from disputes.rules import checklist, dates
from disputes.services.common import ensure_owner
from disputes.services.timeline import entry_append
from disputes.uploads import (
    Inspection,
    UploadRefused,
    file_sha256,
    inspect_upload,
    make_thumbnail,
    shared_image_copy,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceDetails:
    kind: str
    caption: str = ""
    captured_on: datetime.date | None = None
    entry: TimelineEntry | None = None
    checklist_item: str = ""


@dataclass(frozen=True)
class FileLabel:
    """One file's own kind and caption, when several uploaded at once are told apart."""

    kind: str
    caption: str = ""


class EvidenceRefused(Exception):
    """One or more files cannot be kept. `errors` maps file names to reasons."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in errors.items()))


def evidence_add(
    *,
    case: Case,
    author: User,
    uploads: list[UploadedFile],
    details: EvidenceDetails,
    labels: list[FileLabel] | None = None,
) -> list[Evidence]:
    """Check every file, then store them all, or nothing.

    `labels`, one per upload in the same order, gives each file its own kind and caption in place
    of `details`' (which the files otherwise share).

    Each file is checked by content first (type, size, image pixel count);
    if any one is refused, EvidenceRefused is raised before anything is
    written. The rows, their "evidence added" timeline entries and the files
    are then written in one transaction; if it fails, the files already put
    on disk are removed again, so no orphan file or row is left.
    """
    ensure_owner(case, author)
    if details.entry is not None and details.entry.case_id != case.pk:
        raise ValidationError({"entry": _("That timeline entry belongs to another case.")})
    if details.kind not in Evidence.Kind.values:
        raise ValidationError({"kind": _("Pick what kind of evidence this is.")})
    if details.captured_on is not None and not dates.in_range(details.captured_on):
        raise ValidationError({"captured_on": dates.OUT_OF_RANGE})
    _check_item(case, details.checklist_item)
    if labels is not None:
        if len(labels) != len(uploads):
            raise ValidationError({"files": _("Each file needs its own kind and caption; choose the files again.")})
        if any(label.kind not in Evidence.Kind.values for label in labels):
            raise ValidationError({"kind": _("Pick what kind of evidence each file is.")})

    prepared = evidence_prepare(case=case, author=author, uploads=uploads, details=details, labels=labels)
    if not prepared:
        raise EvidenceRefused({"": "Choose at least one file."})
    try:
        with transaction.atomic():
            evidence_record(prepared)
            if details.checklist_item:
                now = timezone.now()
                EvidenceTag.objects.bulk_create(
                    EvidenceTag(evidence=item, item=details.checklist_item, tagged_at=now) for item in prepared
                )
    except BaseException:
        evidence_discard(prepared)
        raise
    return prepared


def _check_item(case: Case, item: str) -> None:
    if item and item not in dict(checklist.choices(case.kind)):
        raise ValidationError({"checklist_item": _("Pick an item of this case's checklist.")})


def evidence_tag(*, evidence: Evidence, actor: User, item: str) -> Evidence:
    """Say which checklist item a file stands for ("" for none). The file and its fingerprint stay
    as they are: the tag is how the case counts it, nothing more."""
    ensure_owner(evidence.case, actor)
    _check_item(evidence.case, item)
    if item:
        tag, _ = EvidenceTag.objects.update_or_create(
            evidence=evidence, defaults={"item": item, "tagged_at": timezone.now()}
        )
        evidence.checklist_tag = tag
    else:
        EvidenceTag.objects.filter(evidence=evidence).delete()
        evidence._state.fields_cache.pop("checklist_tag", None)  # the cached tag is gone too
    return evidence


def evidence_prepare(
    *,
    case: Case,
    author: User,
    uploads: list[UploadedFile],
    details: EvidenceDetails,
    labels: list[FileLabel] | None = None,
) -> list[Evidence]:
    """Check every file, then copy them all to storage (not yet recorded), or raise EvidenceRefused.

    The files are copied outside any transaction: copying up to
    EVIDENCE_MAX_FILES_PER_UPLOAD x 20 MB inside one would hold the
    database's write lock that long (on SQLite, everyone's). The caller then
    records the rows in one short transaction (`evidence_record`) and, if
    that fails, removes the copies again (`evidence_discard`).
    """
    checked: list[tuple[UploadedFile, Inspection, bytes | None, tuple[bytes, list[str]] | None]] = []
    errors: dict[str, str] = {}
    for upload in uploads:
        try:
            inspection = inspect_upload(upload)
            thumbnail = make_thumbnail(upload) if inspection.is_image else None
            copy = shared_image_copy(upload) if inspection.is_image else None
        except UploadRefused as refusal:
            errors[upload.name] = str(refusal)
            continue
        except Exception:  # A decoder failing on hostile bytes must not become a 500.
            logger.warning("Could not process upload %r", upload.name, exc_info=True)
            errors[upload.name] = "This file could not be read. It may be damaged."
            continue
        checked.append((upload, inspection, thumbnail, copy))
    if errors:
        raise EvidenceRefused(errors)
    prepared: list[Evidence] = []
    try:
        for index, (upload, inspection, thumbnail, copy) in enumerate(checked):
            own = details
            if labels is not None:
                own = dataclasses.replace(details, kind=labels[index].kind, caption=labels[index].caption)
            prepared.append(_copy_files(case, author, upload, inspection, thumbnail, copy, own))
    except BaseException:
        evidence_discard(prepared)
        raise
    return prepared


def evidence_prepare_made(
    *, case: Case, author: User, name: str, data: bytes, content_type: str, extension: str, details: EvidenceDetails
) -> Evidence:
    """A file Settle itself made or received whole (a mail as sent, a raw received message, a chat
    export), copied to storage with its fingerprint, not yet recorded. Its type is Settle's to say,
    so it skips the upload's type detection; it is served as an attachment like every file."""
    inspection = Inspection(
        content_type=content_type,
        extension=extension,
        is_image=False,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    upload = SimpleUploadedFile(name[:255] or f"file{extension}", data, content_type=content_type)
    return _copy_files(case, author, upload, inspection, None, None, details)


def evidence_record(prepared: list[Evidence], *, entry: TimelineEntry | None = None, announce: bool = True) -> None:
    """Write the rows of prepared files (inside the caller's transaction).

    With `entry`, each file is attached to that timeline entry; `announce`
    false skips the "evidence added" entry, for files whose fingerprints
    the entry they belong to already carries.
    """
    for evidence in prepared:
        if entry is not None:
            evidence.entry = entry
        _record(evidence, announce=announce)


def evidence_discard(prepared: list[Evidence]) -> None:
    """Remove the stored files of prepared evidence that was not recorded."""
    for evidence in prepared:
        _remove_files(evidence)


def _copy_files(
    case: Case,
    author: User,
    upload: UploadedFile,
    inspection: Inspection,
    thumbnail: bytes | None,
    copy: tuple[bytes, list[str]] | None,
    details: EvidenceDetails,
) -> Evidence:
    """The Evidence row, not yet saved, with its file (and thumbnail and shared copy) already in storage."""
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
    )
    upload.seek(0)
    evidence.file.save("upload", upload, save=False)
    evidence.pending_copy = None
    try:
        if thumbnail is not None:
            evidence.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
        if copy is not None:
            evidence.pending_copy = _copy_row(evidence, *copy)
    except BaseException:
        _remove_files(evidence)
        raise
    return evidence


def _copy_row(evidence: Evidence, data: bytes, removed: list[str]) -> EvidenceCopy:
    """The shared copy's row, not yet saved, with its file in storage."""
    copy = EvidenceCopy(
        evidence=evidence, size=len(data), sha256=hashlib.sha256(data).hexdigest(), removed=", ".join(removed)
    )
    copy.file.save("copy", ContentFile(data), save=False)
    return copy


def _record(evidence: Evidence, *, announce: bool = True) -> None:
    now = timezone.now()
    evidence.uploaded_at = now
    evidence.save()
    copy = getattr(evidence, "pending_copy", None)
    if copy is not None:
        copy.evidence, copy.made_at = evidence, now
        copy.save()
    # The fingerprint was taken from these very bytes: the first check is the upload itself.
    EvidenceCheck.objects.create(
        evidence=evidence,
        checked_at=now,
        result=EvidenceCheck.Result.INTACT,
        trigger=EvidenceCheck.Trigger.UPLOAD,
        checked_by=evidence.uploaded_by,
    )
    if not announce:
        return
    with on_the_record(evidence.case.owner):
        kind = str(evidence.get_kind_display())
    entry_append(
        case=evidence.case,
        author=evidence.uploaded_by,
        kind=TimelineEntry.Kind.EVIDENCE,
        body=f"{kind}: {evidence.caption or evidence.original_name}",
        # The original's fingerprint and, for an image, its shared copy's.
        fingerprints=(evidence.sha256, copy.sha256) if copy is not None else (evidence.sha256,),
        now=now,
    )


def _remove_files(evidence: Evidence) -> None:
    copy = getattr(evidence, "pending_copy", None)
    for field in (evidence.file, evidence.thumbnail, copy.file if copy is not None else None):
        if field and field.name:
            field.storage.delete(field.name)


def evidence_shared_copy(*, evidence: Evidence) -> EvidenceCopy | None:
    """The copy of an image others see (made now if an older upload has none); None for other files.

    Raises FileNotFoundError when the original is no longer in storage.
    """
    if not evidence.content_type.startswith("image/"):
        return None
    # Read through the relation, so a list loaded with select_related("shared_copy") asks nothing more.
    existing = getattr(evidence, "shared_copy", None)
    if existing is not None:
        return existing
    with evidence.file.open("rb") as original:
        data, removed = shared_image_copy(original)
    copy = _copy_row(evidence, data, removed)
    copy.made_at = timezone.now()
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:  # another request made it first
        copy.file.storage.delete(copy.file.name)
        return EvidenceCopy.objects.get(evidence=evidence)
    return copy


def evidence_verify(*, evidence: Evidence) -> str:
    """Check a stored file against its fingerprint: "intact", "changed" or "missing"."""
    try:
        with evidence.file.open("rb") as stored:
            digest = file_sha256(stored)
    except (FileNotFoundError, ValueError):
        return "missing"
    return "intact" if digest == evidence.sha256 else "changed"


def evidence_check(
    *, evidence: Evidence, trigger: str, by: User | None = None, now: datetime.datetime | None = None
) -> EvidenceCheck:
    """Re-hash one stored file against its upload fingerprint and keep the result."""
    return EvidenceCheck.objects.create(
        evidence=evidence,
        checked_at=now or timezone.now(),
        result=evidence_verify(evidence=evidence),
        trigger=trigger,
        checked_by=by,
    )


def evidence_checks_request(*, case: Case, by: User) -> int:
    """Ask a worker to check every file of the case once this request commits; return how many files."""
    enqueue_after_commit("disputes.tasks.check_case_evidence", case.pk, by.pk)
    return case.evidence.count()


def evidence_checks_for_case(*, case: Case, by: User | None = None) -> int:
    """Check every file of one case now (staff asked: "check the fingerprints now")."""
    count = 0
    for evidence in case.evidence.order_by("id"):
        evidence_check(evidence=evidence, trigger=EvidenceCheck.Trigger.ON_DEMAND, by=by)
        count += 1
    return count


def evidence_recheck_due(*, now: datetime.datetime) -> int:
    """The scheduled check: files whose latest check is older than EVIDENCE_RECHECK_DAYS, oldest first, bounded.

    At most EVIDENCE_RECHECK_MAX_FILES files per run, so a large installation
    spreads the reading over several nights instead of one long job.
    """
    cutoff = now - datetime.timedelta(days=settings.EVIDENCE_RECHECK_DAYS)
    latest = EvidenceCheck.objects.filter(evidence=OuterRef("pk")).order_by("-checked_at", "-id").values("checked_at")
    due = (
        Evidence.objects.annotate(last_checked=Subquery(latest[:1]))
        .filter(Q(last_checked__lt=cutoff) | Q(last_checked__isnull=True))
        .order_by(F("last_checked").asc(nulls_first=True), "id")[: settings.EVIDENCE_RECHECK_MAX_FILES]
    )
    count = 0
    for evidence in due:
        evidence_check(evidence=evidence, trigger=EvidenceCheck.Trigger.SCHEDULE, now=now)
        count += 1
    return count
