"""The case file: one ZIP with a summary PDF, every evidence file and letter,
and a manifest of SHA-256 fingerprints. Checking one is `services.verification`.

The export streams. Files are copied into the ZIP in 1 MB chunks and hashed
on the way; nothing larger than a chunk (plus the small summary PDF) is held
in memory, so hundreds of megabytes of evidence cost a few megabytes of RAM.
The manifest is written last, from the hashes computed while streaming.

Before the first byte goes out, every stored file is checked to exist. One
that is missing from storage is not silently skipped and does not cut the
ZIP short halfway: it is listed in the summary PDF and in the manifest
(`missing_from_storage`, with its recorded SHA-256), and the rest is exported.
"""

import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from disputes.models import Case, Letter, TimelineEntry
from disputes.pdf import render_pdf

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"


class _Pipe:
    """A write-only file that hands what is written to the response in pieces."""

    def __init__(self):
        self.pieces: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        pieces, self.pieces = self.pieces, []
        yield from pieces


def _slug(text: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", text).strip(" ._")[:80]
    return cleaned or fallback


def casefile_name(case: Case) -> str:
    return f"settle-case-{case.pk}-{timezone.localdate():%Y-%m-%d}.zip"


@dataclass(frozen=True)
class _Member:
    """One stored file headed for the ZIP."""

    path: str
    file: object  # the FieldFile
    sha256: str
    label: str


def _members(case: Case) -> list[_Member]:
    members = []
    for index, item in enumerate(case.evidence.order_by("uploaded_at", "id"), start=1):
        stem = _slug(PurePosixPath(item.original_name).stem, "evidence")
        members.append(
            _Member(f"evidence/{index:03d}-{stem}{item.extension}", item.file, item.sha256, item.original_name)
        )
    for index, letter in enumerate(case.letters.filter(status=Letter.Status.FINAL).order_by("finalized_at"), 1):
        name = f"letters/{index:02d}-{letter.kind.replace('_', '-')}-{letter.sent_on:%Y-%m-%d}.pdf"
        members.append(_Member(name, letter.pdf, letter.sha256, f"{letter.get_kind_display()}: {letter.subject}"))
    return members


def casefile_stream(*, case: Case, user: User) -> Iterator[bytes]:
    """Yield the bytes of the case file ZIP, piece by piece."""
    members = _members(case)
    # Checked before streaming starts: a missing file is reported, never a ZIP cut off mid-way.
    missing = [m for m in members if not m.file.name or not m.file.storage.exists(m.file.name)]
    missing_paths = {m.path for m in missing}
    present = [m for m in members if m.path not in missing_paths]
    pipe = _Pipe()
    entries: list[dict] = []
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        summary = render_pdf("letters/case_summary_pdf.html", _summary_context(case, user, missing))
        entries.append(_write_bytes(archive, "case-summary.pdf", summary))
        yield from pipe.drain()
        for member in present:
            with member.file.open("rb") as source:
                yield from _write_stream(archive, member.path, source, pipe, entries, expected=member.sha256)
        manifest = {
            "case": {"id": case.pk, "title": case.title},
            "exported_at": timezone.now().isoformat(),
            "exported_by": {"id": user.pk, "email": user.email, "name": user.display_name},
            "files": entries,
            "missing_from_storage": [{"path": m.path, "name": m.label, "recorded_sha256": m.sha256} for m in missing],
        }
        info = zipfile.ZipInfo(MANIFEST, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, json.dumps(manifest, indent=2, ensure_ascii=False))
        yield from pipe.drain()
    yield from pipe.drain()


def _write_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> dict:
    archive.writestr(name, data)
    return {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _write_stream(archive, name: str, source, pipe: _Pipe, entries: list, *, expected: str) -> Iterator[bytes]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name, mode="w", force_zip64=True) as target:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
            yield from pipe.drain()
    entry = {"path": name, "size": size, "sha256": digest.hexdigest()}
    if expected and entry["sha256"] != expected:
        # The stored file no longer matches the fingerprint taken at upload: say so in the manifest.
        entry["stored_fingerprint"] = expected
        entry["note"] = "This file changed since it was uploaded."
    entries.append(entry)
    yield from pipe.drain()


def _summary_context(case: Case, user: User, missing: list[_Member]) -> dict:
    entries = list(case.entries.select_related("author").order_by("happened_at", "id"))
    return {
        "missing": missing,
        "case": case,
        "user": user,
        "exported_at": timezone.now(),
        "agreements": case.project.agreements.select_related("created_by").order_by("version"),
        "milestones": case.project.milestones.all(),
        "moves": [e for e in entries if e.kind == TimelineEntry.Kind.STAGE_CHANGE],
        "entries": entries,
        "evidence": case.evidence.order_by("uploaded_at", "id"),
        "letters": case.letters.filter(status=Letter.Status.FINAL).order_by("finalized_at"),
        "warning_signs": case.client.warning_signs.all(),
        "site_url": settings.SITE_URL,
    }
