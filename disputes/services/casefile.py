"""The case file: one signed ZIP that a platform, a mediator or a court can check without Settle.

What is in it, in the order it is written:

    case-summary.pdf        the case for people to read
    timeline.json           every link of the timeline's hash chain (rules.chain): shared entries
                            with their content, private notes as fingerprints only, and the seals
    HOW-TO-VERIFY.txt       how to check all of this by hand, with OpenSSL and sha256sum
    settle-signing-key.pem  the public key that signed it (compare its fingerprint with the
                            one published at SITE_URL/signing-key/)
    evidence/...            the evidence files; images as their copies without metadata
    letters/...             the final letters
    SHA256SUMS              every file above, for `sha256sum -c`
    manifest.json           every file above with its SHA-256 and size, the case, the chain's
                            length and head, the export time and exporter, the key's fingerprint,
                            and every e-mail Settle sent on the case (Message-ID, when the
                            mail server accepted it, the SHA-256 of the message as sent)
    manifest.sig            the Ed25519 signature of manifest.json's exact bytes
    manifest.tsr            when a timestamp authority is configured: its RFC 3161 token
                            over manifest.json

Each export is recorded (`CasefileExport`: who, when, the manifest's SHA-256).

The export streams. Files are copied into the ZIP in 1 MB chunks and hashed
on the way; nothing larger than a chunk (plus the small summary PDF and
timeline) is held in memory, so hundreds of megabytes of evidence cost a few
megabytes of RAM. The record is read as one snapshot: the chain's length
and head are read first and only the entries up to that length go in, so an
entry written while the file streams cannot make it disagree with itself.

Before the first byte goes out, every stored file is checked to exist. One
that is missing from storage is not silently skipped and does not cut the
ZIP short halfway: it is listed in the summary PDF and in the manifest
(`missing_from_storage`, with its recorded SHA-256), and the rest is exported.
"""

import base64
import hashlib
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from disputes import signing, timestamps
from disputes.models import Case, CasefileExport, ClientMail, Evidence, Letter, Seal, TimelineEntry
from disputes.pdf import render_pdf
from disputes.rules import chain, checklist
from disputes.services.evidence import evidence_shared_copy
from disputes.storage import open_stream

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
TIMESTAMP = "manifest.tsr"
TIMELINE = "timeline.json"
SUMS = "SHA256SUMS"
KEY_FILE = "settle-signing-key.pem"
FORMAT = "settle-casefile/2"
TIMELINE_FORMAT = "settle-timeline/1"
# Written after the manifest, so not listed in it: the signature and the token are over it.
AFTER_MANIFEST = frozenset({SIGNATURE, TIMESTAMP})


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
    # For an evidence image sent as its copy without metadata: the original's fingerprint.
    original_sha256: str = ""


def _evidence_member(index: int, item: Evidence) -> _Member:
    stem = _slug(PurePosixPath(item.original_name).stem, "evidence")
    path = f"evidence/{index:03d}-{stem}{item.extension}"
    try:
        copy = evidence_shared_copy(evidence=item)
    except OSError:
        # The original is gone (reported as missing from storage), and no copy was ever made of it.
        return _Member(path, item.file, item.sha256, item.original_name)
    if copy is None:
        return _Member(path, item.file, item.sha256, item.original_name)
    return _Member(path, copy.file, copy.sha256, item.original_name, original_sha256=item.sha256)


def _members(case: Case) -> list[_Member]:
    members = [
        _evidence_member(index, item)
        for index, item in enumerate(case.evidence.select_related("shared_copy").order_by("uploaded_at", "id"), 1)
    ]
    for index, letter in enumerate(case.letters.filter(status=Letter.Status.FINAL).order_by("finalized_at"), 1):
        day = letter.sent_on or timezone.localdate(letter.finalized_at)
        name = f"letters/{index:02d}-{letter.kind.replace('_', '-')}-{day:%Y-%m-%d}.pdf"
        members.append(_Member(name, letter.pdf, letter.sha256, f"{letter.get_kind_display()}: {letter.subject}"))
    return members


@dataclass(frozen=True)
class _Snapshot:
    """The record as one consistent read: the chain up to `length`, its entries and seals."""

    length: int
    head: str
    entries: list[TimelineEntry]
    seals: list[Seal]

    @property
    def private_count(self) -> int:
        return sum(not entry.shared for entry in self.entries)


def _snapshot(case: Case) -> _Snapshot:
    length, head = Case.objects.values_list("chain_length", "chain_head").get(pk=case.pk)
    entries = list(
        case.entries.filter(sequence__lte=length).select_related("author", "corrects").order_by("sequence", "id")
    )
    seals = list(
        Seal.objects.filter(case=case, entry__sequence__lte=length).select_related("timestamp").order_by("sequence")
    )
    return _Snapshot(length, head, entries, seals)


def timeline_document(case: Case, snapshot: _Snapshot) -> dict:
    """timeline.json: every link, the content of shared entries only, and the seals."""
    sequence_of = {entry.pk: entry.sequence for entry in snapshot.entries}
    links = []
    for entry in snapshot.entries:
        content = (
            chain.entry_fields(entry, sequence_of=lambda pk: None if pk is None else sequence_of.get(pk))
            if entry.shared
            else None
        )
        links.append(
            {
                "sequence": entry.sequence,
                "content_sha256": entry.content_sha256,
                "previous_sha256": entry.previous_sha256,
                "entry_sha256": entry.entry_sha256,
                "shared": entry.shared,
                "content": content,
            }
        )
    seals = []
    for seal in snapshot.seals:
        stamp = getattr(seal, "timestamp", None)
        seals.append(
            {
                "sequence": seal.sequence,
                "head": seal.head,
                "sealed_at": seal.sealed_at.isoformat(),
                "key_fingerprint": seal.key_fingerprint,
                "statement": seal.statement,
                "signature": seal.signature,
                "timestamp": base64.b64encode(bytes(stamp.token)).decode() if stamp is not None else None,
            }
        )
    return {
        "format": TIMELINE_FORMAT,
        "case": case.pk,
        "chain": {"length": snapshot.length, "head": snapshot.head, "genesis": chain.GENESIS},
        "entries": links,
        "seals": seals,
    }


def casefile_stream(*, case: Case, user: User) -> Iterator[bytes]:
    """Yield the bytes of the signed case file ZIP, piece by piece, and record the export at the end."""
    key = signing.current_key()
    exported_at = timezone.now()
    snapshot = _snapshot(case)
    members = _members(case)
    # Checked before streaming starts: a missing file is reported, never a ZIP cut off mid-way.
    missing = [m for m in members if not m.file.name or not m.file.storage.exists(m.file.name)]
    missing_paths = {m.path for m in missing}
    present = [m for m in members if m.path not in missing_paths]
    pipe = _Pipe()
    files: list[dict] = []
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        context = _summary_context(case, user, missing, snapshot, key.public, exported_at)
        files.append(_write_bytes(archive, "case-summary.pdf", render_pdf("letters/case_summary_pdf.html", context)))
        yield from pipe.drain()
        timeline = json.dumps(timeline_document(case, snapshot), indent=1, ensure_ascii=False).encode()
        files.append(_write_bytes(archive, TIMELINE, timeline, compress=True))
        howto = render_to_string("letters/casefile_howto.txt", {**context, "key_file": KEY_FILE}).encode()
        files.append(_write_bytes(archive, "HOW-TO-VERIFY.txt", howto, compress=True))
        files.append(_write_bytes(archive, KEY_FILE, key.public.pem.encode()))
        yield from pipe.drain()
        for member in present:
            with open_stream(member.file) as source:
                yield from _write_stream(archive, member, source, pipe, files)
        sums = "".join(f"{item['sha256']}  {item['path']}\n" for item in files).encode()
        files.append(_write_bytes(archive, SUMS, sums, compress=True))
        manifest = _manifest(case, user, exported_at, snapshot, key.public, files, missing)
        _write_bytes(archive, MANIFEST, manifest, compress=True)
        _write_bytes(archive, SIGNATURE, key.sign(manifest))
        token, note = _timestamp(manifest)
        if token is not None:
            _write_bytes(archive, TIMESTAMP, token)
        yield from pipe.drain()
    yield from pipe.drain()
    CasefileExport.objects.create(
        case=case,
        exported_by=user,
        exported_at=exported_at,
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        key_fingerprint=key.public.fingerprint,
        chain_length=snapshot.length,
        chain_head=snapshot.head,
        files=len(files),
        size=sum(item["size"] for item in files),
        timestamp_token=token,
        timestamp_note=note,
    )


def _manifest(case, user, exported_at, snapshot: _Snapshot, public: signing.PublicKey, files, missing) -> bytes:
    manifest = {
        "format": FORMAT,
        "case": {"id": case.pk, "title": case.title},
        "exported_at": exported_at.isoformat(),
        "exported_by": {"id": user.pk, "email": user.email, "name": user.display_name},
        "chain": {
            "length": snapshot.length,
            "head": snapshot.head,
            "private_entries": snapshot.private_count,
            "seals": len(snapshot.seals),
        },
        "files": files,
        "mails_sent": [
            {
                "message_id": mail.message_id,
                "to": mail.to_email,
                "subject": mail.subject,
                "accepted_by_mail_server_at": mail.sent_at.isoformat(),
                "message_sha256": mail.raw_sha256,
                "attachments": mail.attached,
                "timeline_sequence": mail.entry.sequence,
                "bounced_at": mail.bounced_at.isoformat() if mail.bounced_at else None,
            }
            for mail in _mails_sent(case, snapshot)
        ],
        "missing_from_storage": [{"path": m.path, "name": m.label, "recorded_sha256": m.sha256} for m in missing],
        "signing_key": {
            "algorithm": signing.ALGORITHM,
            "fingerprint": public.fingerprint,
            "public_key": base64.b64encode(public.raw).decode(),
            "published_at": f"{settings.SITE_URL}/signing-key/",
        },
        "signature_file": SIGNATURE,
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False).encode()


def _mails_sent(case: Case, snapshot: _Snapshot) -> list[ClientMail]:
    """The mails Settle sent whose timeline entries are in this export's snapshot."""
    return list(
        ClientMail.objects.filter(case=case, entry__sequence__lte=snapshot.length)
        .select_related("entry")
        .order_by("sent_at", "id")
    )


def _timestamp(manifest: bytes) -> tuple[bytes | None, str]:
    """An RFC 3161 token over the manifest when an authority is configured; a failure is noted, not fatal."""
    if not timestamps.enabled():
        return None, ""
    try:
        return timestamps.request_token(manifest), ""
    except timestamps.TimestampError as error:
        logger.warning("Case file exported without a trusted timestamp: %s", error)
        return None, str(error)[:300]


def _write_bytes(archive: zipfile.ZipFile, name: str, data: bytes, *, compress: bool = False) -> dict:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    archive.writestr(info, data)
    return {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _write_stream(archive, member: _Member, source, pipe: _Pipe, files: list) -> Iterator[bytes]:
    digest, size = hashlib.sha256(), 0
    with archive.open(member.path, mode="w", force_zip64=True) as target:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
            yield from pipe.drain()
    item = {"path": member.path, "size": size, "sha256": digest.hexdigest()}
    if member.original_sha256:
        item["original_sha256"] = member.original_sha256
        item["note"] = "A copy of the image without its metadata; the original's fingerprint is original_sha256."
    if member.sha256 and item["sha256"] != member.sha256:
        # The stored file no longer matches the fingerprint taken when it was stored: say so.
        item["stored_fingerprint"] = member.sha256
        item["note"] = "This file changed since it was uploaded."
    files.append(item)
    yield from pipe.drain()


def _summary_context(case, user, missing, snapshot: _Snapshot, public: signing.PublicKey, exported_at) -> dict:
    shared = [entry for entry in snapshot.entries if entry.shared]
    evidence = list(case.evidence.select_related("shared_copy", "checklist_tag").order_by("uploaded_at", "id"))
    agreements = list(case.project.agreements.select_related("created_by").order_by("version"))
    evidence_list = checklist.for_case(
        case.kind,
        evidence,
        scope_accepted=any(agreement.accepted_at for agreement in agreements),
        client_messages=any(entry.kind == TimelineEntry.Kind.MESSAGE_IN for entry in shared),
    )
    return {
        "missing": missing,
        "case": case,
        "user": user,
        "exported_at": exported_at,
        "agreements": agreements,
        "milestones": case.project.milestones.all(),
        "moves": [e for e in shared if e.kind == TimelineEntry.Kind.STAGE_CHANGE],
        "links": snapshot.entries,
        "chain_length": snapshot.length,
        "chain_head": snapshot.head,
        "private_count": snapshot.private_count,
        "seals": snapshot.seals,
        "evidence": evidence,
        "checklist": evidence_list,
        "letters": case.letters.filter(status=Letter.Status.FINAL).order_by("finalized_at"),
        "mails": _mails_sent(case, snapshot),
        "warning_signs": case.client.warning_signs.all(),
        "site_url": settings.SITE_URL,
        "key": public,
    }
