"""Checking a case file, and saying plainly which of its proofs held.

Five checks, each reported on its own (`Verification`):

1. the signature: manifest.json's Ed25519 signature, by a key trusted here
   (this installation's keys, current or retired, or the keys a person
   supplies), or by a key nobody here knows (another installation);
2. the files: every file the manifest lists is present and matches its
   SHA-256 and size, and nothing was added;
3. the timeline: timeline.json's hash chain recomputed link by link
   (rules.chain), ending at the head the signed manifest gives;
4. the seals: each signed by a trusted key and naming a link the chain has;
5. the trusted timestamp over manifest.json, when there is one.

Rewriting manifest.json to match a replaced file breaks check 1; replacing
a file alone breaks check 2; editing, removing or re-ordering an entry in
timeline.json breaks check 3 (or 2, as timeline.json is listed too). None of
the checks needs the database or the network.

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
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from disputes import signing, timestamps
from disputes.models import CasefileCheck
from disputes.rules import chain as chain_rules
from disputes.services import proofs
from disputes.services.casefile import AFTER_MANIFEST, CHUNK, MANIFEST, TIMESTAMP
from disputes.services.proofs import MB, Refused, VerifyLimits, parse_json, read_small
from disputes.timestamps import TokenCheck


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
    # The signature over manifest.json: "valid", "invalid", "unknown_key" (valid, but by a key not trusted
    # here) or "missing"; and the key that made it.
    signature: str = ""
    key_fingerprint: str = ""
    key_label: str = ""
    # The timeline's hash chain, from timeline.json; `chain_problem` when it cannot be checked at all.
    chain: chain_rules.ChainReport | None = None
    chain_problem: str = ""
    seals: int = 0
    seal_problems: list[str] = field(default_factory=list)
    # The trusted timestamp over manifest.json, if the file has one: "valid", "invalid", "unchecked" or "".
    timestamp: str = ""
    timestamp_check: TokenCheck | None = None

    @property
    def exported_at(self) -> datetime.datetime | None:
        """When the manifest says the file was made (None if it does not say so readably)."""
        try:
            return datetime.datetime.fromisoformat(str(self.manifest.get("exported_at", "")))
        except ValueError:
            return None

    @property
    def files_ok(self) -> bool:
        return not (self.changed or self.missing or self.extra)

    @property
    def signed(self) -> bool:
        return self.signature == "valid"

    @property
    def chain_ok(self) -> bool:
        return self.chain is not None and self.chain.ok and not self.chain_problem

    @property
    def ok(self) -> bool:
        return (
            not self.error
            and self.files_ok
            and self.signed
            and self.chain_ok
            and not self.seal_problems
            and self.timestamp != "invalid"
        )

    @property
    def verdict(self) -> str:
        if self.error:
            return CasefileCheck.Verdict.REFUSED
        if self.ok:
            return CasefileCheck.Verdict.OK
        if self.signature == "missing" and self.files_ok and not self.manifest.get("format"):
            return CasefileCheck.Verdict.UNSIGNED  # made before Settle signed its case files
        return CasefileCheck.Verdict.DOES_NOT_VERIFY


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: VerifyLimits) -> tuple[dict, bytes]:
    raw = read_small(archive, info, limits.manifest_bytes, "manifest.json")
    manifest = parse_json(raw, limits, "manifest")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise Refused(_("The manifest cannot be read."))
    return manifest, raw


def _check_headers(infos: list[zipfile.ZipInfo], limits: VerifyLimits) -> None:
    if len(infos) > limits.members:
        raise Refused(
            _("It holds %(len)s files; a case file this page checks holds at most %(members)s.")
            % {
                "len": number_format(len(infos), force_grouping=True),
                "members": number_format(limits.members, force_grouping=True),
            }
        )
    for info in infos:
        if info.file_size > limits.member_bytes:
            raise Refused(
                _("“%(filename)s” unpacks to %(mb)s MB, over the %(mb2)s MB a file may have here.")
                % {"filename": info.filename, "mb": f"{info.file_size / MB:,.0f}", "mb2": limits.member_bytes // MB}
            )
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise Refused(
            _("It unpacks to %(mb)s MB, over the %(mb2)s MB this page checks.")
            % {"mb": f"{total / MB:,.0f}", "mb2": number_format(limits.total_bytes // MB, force_grouping=True)}
        )


def _hash_member(archive, info, limits: VerifyLimits, budget: list[int], deadline: float, clock) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(info) as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            size += len(chunk)
            budget[0] -= len(chunk)
            # Counted again while reading: a header that understates the size does not get past this.
            if size > limits.member_bytes or size > info.file_size or budget[0] < 0:
                raise Refused(
                    _("“%(filename)s” is larger than its header says. The file has been tampered with.")
                    % {"filename": info.filename}
                )
            if clock() > deadline:
                raise Refused(
                    _("Checking took longer than %(seconds)s seconds, so it was stopped.")
                    % {"seconds": f"{limits.seconds:.0f}"}
                )
            digest.update(chunk)
    return digest.hexdigest(), size


def casefile_verify(
    source,
    *,
    limits: VerifyLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
    keys: dict[str, proofs.TrustedKey] | None = None,
    timestamp_roots: list | None = None,
) -> Verification:
    """Check a case file: its signature, every file against the manifest, the timeline's chain, its seals
    and any trusted timestamp, within `limits`. Never raises for bad input.

    `keys` are the signing keys trusted here (by default this installation's,
    current and retired); `timestamp_roots` the timestamp authority's root
    certificates (by default TIMESTAMP_AUTHORITY_CA's). Neither needs the
    database or the network, so a case file is checked offline.
    """
    limits = limits or VerifyLimits.from_settings()
    report = Verification()
    try:
        keys = proofs.installation_keys() if keys is None else keys
        roots = _default_roots() if timestamp_roots is None else timestamp_roots
        _verify(source, limits, clock, report, keys, roots)
    except Refused as refusal:
        report.error = str(refusal)
    except signing.SigningKeyError as error:
        report.error = _("This installation's signing keys cannot be read, so nothing was checked: %(error)s") % {
            "error": error
        }
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        report.error = _("This is not a ZIP file, or it is damaged.")
    return report


def _default_roots() -> list:
    try:
        return timestamps.load_roots()
    except timestamps.TimestampError:
        return []


def _verify(source, limits: VerifyLimits, clock, report: Verification, keys, roots) -> None:
    deadline = clock() + limits.seconds
    with zipfile.ZipFile(source) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_headers(infos, limits)
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            raise Refused(_("The file has no manifest.json: it is not a Settle case file."))
        manifest, raw_manifest = _read_manifest(archive, by_name[MANIFEST], limits)
        try:
            listed = {str(item["path"]): item for item in manifest["files"]}
        except (KeyError, TypeError):
            raise Refused(_("The manifest cannot be read.")) from None
        report.manifest = manifest
        report.missing_at_export = [
            str(item.get("path", "")) for item in manifest.get("missing_from_storage", []) if isinstance(item, dict)
        ]
        proofs.check_signature(archive, by_name, raw_manifest, manifest, keys, report)
        budget = [limits.total_bytes]
        for path, item in sorted(listed.items()):
            if path not in by_name or path in AFTER_MANIFEST or path == MANIFEST:
                report.missing.append(path)
                continue
            digest, size = _hash_member(archive, by_name[path], limits, budget, deadline, clock)
            report.checked += 1
            if not isinstance(item, dict) or digest != item.get("sha256") or size != item.get("size"):
                report.changed.append(path)
        report.extra = sorted(set(by_name) - set(listed) - {MANIFEST} - AFTER_MANIFEST)
        if manifest.get("format"):
            proofs.check_timeline(archive, by_name, listed, manifest, keys, limits, report)
        if TIMESTAMP in by_name:
            proofs.check_timestamp(archive, by_name[TIMESTAMP], raw_manifest, roots, report)


def casefile_check_record(*, user: User, name: str, size: int, report: Verification) -> CasefileCheck:
    """Keep a record of a check made on the page (who, when, what, the verdict)."""
    return CasefileCheck.objects.create(
        user=user, checked_at=timezone.now(), file_name=name[:255], size=size, verdict=report.verdict
    )


def casefile_checks_allowed(*, user: User, now: datetime.datetime | None = None) -> None:
    """Refuse once a person has run CASEFILE_VERIFY_PER_HOUR checks in the last hour."""
    now = now or timezone.now()
    recent = CasefileCheck.objects.filter(user=user, checked_at__gt=now - datetime.timedelta(hours=1)).count()
    if recent >= settings.CASEFILE_VERIFY_PER_HOUR:
        raise ValidationError(
            _(
                "You have checked %(recent)s case files in the last hour, the most this page allows. Try "
                "again later, or use `manage.py verify_casefile` on the server."
            )
            % {"recent": recent}
        )
