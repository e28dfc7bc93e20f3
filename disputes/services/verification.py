"""Checking a case file: every file listed, present, and matching its SHA-256 and size.

Anyone signed in may upload a ZIP here, so nothing about it is trusted and
everything is bounded (`VerifyLimits`, from settings): how many members, how
large each and all of them are once uncompressed (read from the ZIP's
headers first, then counted again while reading, since headers can lie),
how large and how deeply nested the manifest is, and how long the check may
take. Past any limit the answer is a plain refusal naming it, never a worker
spinning for minutes or a 500. The page also keeps a record of each check
and limits how many one person runs per hour; `manage.py verify_casefile`
applies the same limits.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from disputes.models import CasefileCheck
from disputes.services.casefile import CHUNK, MANIFEST

MB = 1024 * 1024


@dataclass(frozen=True)
class VerifyLimits:
    members: int = 5_000
    member_bytes: int = 100 * MB
    total_bytes: int = 1024 * MB
    manifest_bytes: int = 1 * MB
    manifest_depth: int = 10
    seconds: float = 60.0

    @classmethod
    def from_settings(cls) -> VerifyLimits:
        return cls(
            members=settings.CASEFILE_VERIFY_MAX_MEMBERS,
            member_bytes=settings.CASEFILE_VERIFY_MAX_MEMBER_MB * MB,
            total_bytes=settings.CASEFILE_VERIFY_MAX_MB * MB,
            seconds=float(settings.CASEFILE_VERIFY_SECONDS),
        )


class Refused(Exception):
    """The file is over a limit or malformed; the message says which, for the person who sent it."""


@dataclass
class Verification:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    # Files the exporting installation could not find in its storage (listed by the export itself).
    missing_at_export: list[str] = field(default_factory=list)
    error: str = ""
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.error)


def _depth(value, limit: int) -> int:
    """How deeply lists and objects nest, without recursion (a hostile manifest can nest deeply)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: VerifyLimits) -> dict:
    if info.file_size > limits.manifest_bytes:
        raise Refused(f"Its manifest.json is {info.file_size / MB:.1f} MB; a case file's is far smaller than 1 MB.")
    with archive.open(info) as stream:
        raw = stream.read(limits.manifest_bytes + 1)
    if len(raw) > limits.manifest_bytes:
        raise Refused("Its manifest.json is larger than its header says. It is not a Settle case file.")
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused("The manifest cannot be read.") from None
    if _depth(manifest, limits.manifest_depth) > limits.manifest_depth:
        raise Refused("The manifest is nested too deeply to be a Settle case file.")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise Refused("The manifest cannot be read.")
    return manifest


def _check_headers(infos: list[zipfile.ZipInfo], limits: VerifyLimits) -> None:
    if len(infos) > limits.members:
        raise Refused(f"It holds {len(infos):,} files; a case file this page checks holds at most {limits.members:,}.")
    for info in infos:
        if info.file_size > limits.member_bytes:
            raise Refused(
                f"“{info.filename}” unpacks to {info.file_size / MB:,.0f} MB, over the {limits.member_bytes // MB} MB "
                "a file may have here."
            )
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise Refused(f"It unpacks to {total / MB:,.0f} MB, over the {limits.total_bytes // MB:,} MB this page checks.")


def _hash_member(archive, info, limits: VerifyLimits, budget: list[int], deadline: float, clock) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(info) as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            size += len(chunk)
            budget[0] -= len(chunk)
            # Counted again while reading: a header that understates the size does not get past this.
            if size > limits.member_bytes or size > info.file_size or budget[0] < 0:
                raise Refused(f"“{info.filename}” is larger than its header says. The file has been tampered with.")
            if clock() > deadline:
                raise Refused(f"Checking took longer than {limits.seconds:.0f} seconds, so it was stopped.")
            digest.update(chunk)
    return digest.hexdigest(), size


def casefile_verify(
    source, *, limits: VerifyLimits | None = None, clock: Callable[[], float] = time.monotonic
) -> Verification:
    """Check a case file against its manifest, within `limits`. Never raises for bad input."""
    limits = limits or VerifyLimits.from_settings()
    report = Verification()
    try:
        _verify(source, limits, clock, report)
    except Refused as refusal:
        report.error = str(refusal)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        report.error = "This is not a ZIP file, or it is damaged."
    return report


def _verify(source, limits: VerifyLimits, clock, report: Verification) -> None:
    deadline = clock() + limits.seconds
    with zipfile.ZipFile(source) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_headers(infos, limits)
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            raise Refused("The file has no manifest.json: it is not a Settle case file.")
        manifest = _read_manifest(archive, by_name[MANIFEST], limits)
        try:
            listed = {str(item["path"]): item for item in manifest["files"]}
        except (KeyError, TypeError):
            raise Refused("The manifest cannot be read.") from None
        report.manifest = manifest
        report.missing_at_export = [
            str(item.get("path", "")) for item in manifest.get("missing_from_storage", []) if isinstance(item, dict)
        ]
        budget = [limits.total_bytes]
        for path, item in sorted(listed.items()):
            if path not in by_name:
                report.missing.append(path)
                continue
            digest, size = _hash_member(archive, by_name[path], limits, budget, deadline, clock)
            report.checked += 1
            if digest != item.get("sha256") or size != item.get("size"):
                report.changed.append(path)
        report.extra = sorted(set(by_name) - set(listed) - {MANIFEST})


def casefile_check_record(*, user: User, name: str, size: int, report: Verification) -> CasefileCheck:
    """Keep a record of a check made on the page (who, when, what, the verdict)."""
    verdict = "refused" if report.error else ("ok" if report.ok else "does_not_verify")
    return CasefileCheck.objects.create(
        user=user, checked_at=timezone.now(), file_name=name[:255], size=size, verdict=verdict
    )


def casefile_checks_allowed(*, user: User, now: datetime.datetime | None = None) -> None:
    """Refuse once a person has run CASEFILE_VERIFY_PER_HOUR checks in the last hour."""
    now = now or timezone.now()
    recent = CasefileCheck.objects.filter(user=user, checked_at__gt=now - datetime.timedelta(hours=1)).count()
    if recent >= settings.CASEFILE_VERIFY_PER_HOUR:
        raise ValidationError(
            f"You have checked {recent} case files in the last hour, the most this page allows. Try again later, "
            "or use `manage.py verify_casefile` on the server."
        )
