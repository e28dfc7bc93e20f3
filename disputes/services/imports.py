"""Importing what happened elsewhere: saved e-mails (.eml, .mbox) and WhatsApp chat exports (.txt, .zip).

Two steps. `import_read` reads the file and returns a preview (who, when,
what, which messages are already on the timeline) without writing anything.
`import_apply` then writes the messages the freelancer chose, with the
sender mapping (which sender is the client, which is the freelancer) and,
for a chat, the time zone its phone was in: each becomes an incoming or
outgoing message at its original time, a chat's media and a mail's
attachments become evidence through the upload checks, and the file itself
is kept as evidence with its fingerprint. All of it in one transaction:
nothing is half-imported. The same file imported again, or a message
already on the case (same Message-ID, or same time, sender and text), adds
nothing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.languages import on_the_record
from disputes.models import Case, Channel, Evidence, ReceivedMessage, TimelineEntry
from disputes.services.clock import concerns_sync
from disputes.services.common import ensure_owner
from disputes.services.evidence import (
    EvidenceDetails,
    EvidenceRefused,
    evidence_discard,
    evidence_prepare,
    evidence_prepare_made,
    evidence_record,
)
from disputes.services.import_preview import (
    CLIENT,
    ME,
    SKIP,
    ImportItem,
    ImportPreview,
    ImportUnreadable,
    file_key,
    import_read,
)
from disputes.services.timeline import entry_append

STASH_DIR = "imports"
STASH_HOURS = 24

__all__ = [
    "CLIENT",
    "ME",
    "SKIP",
    "ImportResult",
    "ImportUnreadable",
    "import_apply",
    "import_read",
    "import_stash",
    "import_stashed",
]


@dataclass(frozen=True)
class ImportResult:
    added: int
    already: int
    evidence: int


def import_apply(
    *,
    case: Case,
    actor: User,
    name: str,
    data: bytes,
    selected: set[int],
    mapping: dict[str, str],
    time_zone: str | None = None,
    day_first: bool | None = None,
    now: datetime.datetime | None = None,
) -> ImportResult:
    """Write the chosen messages of the file, in one transaction. Raises ImportUnreadable or ValidationError."""
    ensure_owner(case, actor)
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("The case is closed. Reopen it before importing."))
    now = now or timezone.now()
    preview = import_read(case=case, name=name, data=data, time_zone=time_zone, day_first=day_first, now=now)
    if any(value not in (CLIENT, ME, SKIP) for value in mapping.values()):
        raise ValidationError({"mapping": _("Say for each sender whether it is the client, you, or to leave out.")})
    chosen = [item for item in preview.new_items if item.index in selected and mapping.get(item.sender, SKIP) != SKIP]
    if not preview.new_items:
        raise ValidationError(_("Every message in this file is already on the timeline: nothing was added."))
    if not chosen:
        raise ValidationError(
            "Nothing to import: choose at least one new message from a sender you mapped to the client or to you."
        )
    keep_file = preview.imported_before is None  # a second pass over the same file keeps it once
    channel = Channel.EMAIL if preview.kind == "email" else Channel.CHAT
    source = ReceivedMessage.Source.IMPORT_EMAIL if preview.kind == "email" else ReceivedMessage.Source.IMPORT_CHAT
    file_evidence = None
    if keep_file:
        file_evidence = evidence_prepare_made(
            case=case,
            author=actor,
            name=name,
            data=data,
            content_type="application/mbox" if preview.kind == "email" else "text/plain",
            extension={"email": ".mbox" if data.startswith(b"From ") else ".eml"}.get(preview.kind, _chat_ext(data)),
            details=EvidenceDetails(
                kind=Evidence.Kind.EMAIL if preview.kind == "email" else Evidence.Kind.CHAT,
                caption=f"Imported file: {name}"[:300],
            ),
        )
    prepared_all: list[Evidence] = [file_evidence] if file_evidence else []
    per_item: dict[int, tuple[list[Evidence], list[str]]] = {}
    try:
        for item in chosen:
            per_item[item.index] = _prepare_attachments(case, actor, item)
            prepared_all += per_item[item.index][0]
        evidence_count = 0
        with transaction.atomic():
            if file_evidence is not None:
                ReceivedMessage.objects.create(
                    case=case,
                    key=file_key(preview.sha256),
                    source=source,
                    status=ReceivedMessage.Status.FILED,
                    subject=f"Imported file: {name}"[:300],
                    received_at=now,
                    raw_sha256=preview.sha256,
                )
                evidence_record([file_evidence])
                evidence_count += 1
            for item in chosen:
                attachments, notes = per_item[item.index]
                incoming = mapping[item.sender] == CLIENT
                with on_the_record(case.owner):
                    body = _body(item, preview, incoming, attachments, notes)
                entry = entry_append(
                    case=case,
                    author=actor,
                    kind=TimelineEntry.Kind.MESSAGE_IN if incoming else TimelineEntry.Kind.MESSAGE_OUT,
                    channel=channel,
                    body=body,
                    happened_at=item.at,
                    fingerprints=(preview.sha256, *(e.sha256 for e in attachments)),
                    now=now,
                    sync_clock=False,
                )
                evidence_record(attachments, entry=entry, announce=False)
                evidence_count += len(attachments)
                ReceivedMessage.objects.create(
                    case=case,
                    key=item.key[:300],
                    source=source,
                    status=ReceivedMessage.Status.FILED,
                    message_id=item.key[:300] if item.key.startswith("<") else "",
                    sender=item.sender[:300],
                    subject=item.subject[:300],
                    dated_at=item.at,
                    received_at=now,
                    raw_sha256=item.raw_sha256,
                    entry=entry,
                )
            concerns_sync(case=case)
    except BaseException:
        evidence_discard(prepared_all)
        raise
    return ImportResult(added=len(chosen), already=len(preview.items) - len(preview.new_items), evidence=evidence_count)


def _chat_ext(data: bytes) -> str:
    return ".zip" if data[:4] == b"PK\x03\x04" else ".txt"


def _prepare_attachments(case: Case, actor: User, item: ImportItem) -> tuple[list[Evidence], list[str]]:
    prepared: list[Evidence] = []
    notes: list[str] = []
    for name, data, content_type in item.attachments:
        upload = SimpleUploadedFile(name, data, content_type=content_type)
        kind = Evidence.Kind.SCREENSHOT if item.subject == "" else Evidence.Kind.OTHER
        try:
            prepared += evidence_prepare(
                case=case,
                author=actor,
                uploads=[upload],
                details=EvidenceDetails(kind=kind, caption=f"From the import: {name}"[:300]),
            )
        except EvidenceRefused as refused:
            notes.append(
                _("“%(name)s” not kept as evidence: %(join)s")
                % {"name": name, "join": "; ".join(refused.errors.values())}
            )
    if item.missing_media:
        notes.append(_("“%(media)s” is named in the chat but was not in the export.") % {"media": item.missing_media})
    return prepared, notes


def _body(item: ImportItem, preview: ImportPreview, incoming: bool, attachments, notes) -> str:
    """The entry's text, in the words of the record (languages.on_the_record, set by the caller)."""
    values = {"sender": item.sender_label, "file": preview.name}
    if preview.kind == "email":
        if incoming:
            lines = [gettext("E-mail from %(sender)s, imported from “%(file)s”.") % values]
        else:
            lines = [gettext("E-mail sent by you as %(sender)s, imported from “%(file)s”.") % values]
        lines.append(gettext("Subject: %(subject)s") % {"subject": item.subject or gettext("(none)")})
        if item.key.startswith("<"):
            lines.append(f"Message-ID: {item.key}")
    else:
        lines = [
            gettext("Chat message from %(sender)s, imported from “%(file)s” (times in %(zone)s).")
            % {"sender": item.sender, "file": preview.name, "zone": preview.time_zone}
        ]
    for evidence in attachments:
        lines.append(
            gettext("Attached: %(name)s (SHA-256 %(sha256)s)")
            % {"name": evidence.original_name, "sha256": evidence.sha256}
        )
    lines += notes
    lines.append(gettext("The imported file: SHA-256 %(sha256)s") % {"sha256": preview.sha256})
    return "\n".join(lines) + "\n\n" + (item.text or gettext("(no text)"))


# --- The uploaded file between the preview and the import ------------------------------------
def import_stash(upload) -> str:
    """Keep an uploaded file until the freelancer confirms the import; returns its server-chosen name."""
    return default_storage.save(f"{STASH_DIR}/{uuid.uuid4().hex}.upload", upload)


def import_stashed(name: str) -> bytes:
    """The bytes of a stashed upload. Raises ImportUnreadable if it is gone (imported, or cleaned away)."""
    if not name.startswith(f"{STASH_DIR}/") or ".." in name or not default_storage.exists(name):
        raise ImportUnreadable(_("This upload is no longer here. Upload the file again."))
    with default_storage.open(name, "rb") as stashed:
        return stashed.read()


def import_unstash(name: str) -> None:
    if name.startswith(f"{STASH_DIR}/") and ".." not in name:
        default_storage.delete(name)


def imports_clean(*, now: datetime.datetime) -> int:
    """The sweep's step: remove uploads left in preview for more than STASH_HOURS."""
    try:
        _, files = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = f"{STASH_DIR}/{name}"
        if default_storage.get_modified_time(path) < now - datetime.timedelta(hours=STASH_HOURS):
            default_storage.delete(path)
            removed += 1
    return removed
