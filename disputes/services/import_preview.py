"""Reading a file to import, without writing anything: saved e-mails (.eml, .mbox), WhatsApp exports (.txt, .zip).

`import_read` turns the bytes into an `ImportPreview`: each message with its
time, sender and text, which ones are already on the case, and a suggested
mapping of each sender to the client, the freelancer, or left out. Anything
that cannot be read raises `ImportUnreadable` with a reason fit to show.
`services.imports` writes the chosen messages.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from disputes import chatparse, mailparse
from disputes.models import Case, ClientMail, ReceivedMessage
from disputes.rules import dates

CLIENT, ME, SKIP = "client", "me", "skip"
MAX_MESSAGES = 5000
MAX_ZIP_MEMBERS = 2000
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


class ImportUnreadable(ValueError):
    """The file cannot be imported; the text says why, and nothing was written."""


@dataclass
class ImportItem:
    index: int
    key: str
    at: datetime.datetime  # aware
    sender: str  # what the mapping is keyed by: an address (mail) or a name (chat)
    sender_label: str
    subject: str
    text: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    missing_media: str = ""
    raw_sha256: str = ""
    known: bool = False
    problem: str = ""


@dataclass
class ImportPreview:
    kind: str  # "email" or "chat"
    name: str
    sha256: str
    size: int
    items: list[ImportItem]
    senders: list[tuple[str, str, str]]  # (key, label, suggested mapping)
    time_zone: str
    day_first: bool = True
    order_known: bool = True
    imported_before: datetime.datetime | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def new_items(self) -> list[ImportItem]:
        return [item for item in self.items if not item.known and not item.problem]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Pick a time zone from the list.")}) from None


def file_key(sha256: str) -> str:
    return f"file:{sha256}"


def _detect(name: str, data: bytes) -> str:
    lowered = name.lower()
    if data[:4] == b"PK\x03\x04":
        return "chat_zip"
    if data.startswith(b"From "):
        return "mbox"
    if lowered.endswith((".eml", ".msg")) or lowered.endswith(".mbox"):
        return "mbox" if lowered.endswith(".mbox") else "eml"
    head = data[:4096]
    if b"\n" in head and any(
        head.lower().startswith(prefix) or b"\n" + prefix in head.lower()
        for prefix in (b"from:", b"received:", b"return-path:", b"message-id:")
    ):
        return "eml"
    return "chat_txt"


def import_read(
    *,
    case: Case,
    name: str,
    data: bytes,
    time_zone: str | None = None,
    day_first: bool | None = None,
    now: datetime.datetime | None = None,
) -> ImportPreview:
    """Read a file into a preview. Raises ImportUnreadable with a clear reason; writes nothing."""
    now = now or timezone.now()
    if not data:
        raise ImportUnreadable(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportUnreadable(
            _("The file is larger than the %(bytes)s MB limit.") % {"bytes": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    zone_name = time_zone or case.owner.time_zone
    zone = _zone(zone_name)
    sha256 = hashlib.sha256(data).hexdigest()
    kind = _detect(name, data)
    notes: list[str] = []
    if kind in ("eml", "mbox"):
        items, senders = _read_mail(case, data, kind, notes)
        preview = ImportPreview("email", name, sha256, len(data), items, senders, zone_name, notes=notes)
    else:
        text, media = _chat_source(data, kind)
        try:
            chat = chatparse.parse(text, day_first=day_first)
        except chatparse.ChatUnreadable as error:
            if kind == "chat_txt":
                raise ImportUnreadable(
                    _("%(error)s Settle imports .eml and .mbox e-mail files and WhatsApp chat exports (.txt or .zip).")
                    % {"error": error}
                ) from None
            raise ImportUnreadable(str(error)) from None
        items, senders = _read_chat(case, chat, media, zone)
        preview = ImportPreview(
            "chat", name, sha256, len(data), items, senders, zone_name, chat.day_first, chat.order_known, notes=notes
        )
    known = set(
        ReceivedMessage.objects.filter(case=case, key__in=[item.key for item in preview.items]).values_list(
            "key", flat=True
        )
    )
    if preview.kind == "email":
        ids = [item.key for item in preview.items if item.key.startswith("<")]
        sent = {value.lower() for value in ClientMail.objects.filter(case=case).values_list("message_id", flat=True)}
        known |= sent.intersection(ids)
    for item in preview.items:
        item.known = item.key in known
        if item.at > now + FUTURE_TOLERANCE:
            item.problem = "Its time is in the future."
        elif not dates.in_range(item.at):
            item.problem = dates.OUT_OF_RANGE
    earlier = ReceivedMessage.objects.filter(case=case, key=file_key(sha256)).values_list("received_at", flat=True)
    preview.imported_before = earlier.first()
    return preview


def _read_mail(case: Case, data: bytes, kind: str, notes: list[str]):
    raws = mailparse.split_mbox(data) if kind == "mbox" else [data]
    if not raws:
        raise ImportUnreadable(_("No messages were found in this mailbox file."))
    if len(raws) > MAX_MESSAGES:
        raise ImportUnreadable(
            _("The mailbox holds %(len)s messages; import at most %(messages)s at a time.")
            % {
                "len": number_format(len(raws), force_grouping=True),
                "messages": number_format(MAX_MESSAGES, force_grouping=True),
            }
        )
    items: list[ImportItem] = []
    seen: set[str] = set()
    unreadable = 0
    for raw in raws:
        try:
            parsed = mailparse.parse(raw)
        except mailparse.MailUnreadable as error:
            if kind == "eml":
                raise ImportUnreadable(str(error)) from None
            unreadable += 1
            continue
        if parsed.date is None:
            unreadable += 1
            continue
        key = parsed.message_id or f"sha256:{hashlib.sha256(raw).hexdigest()}"
        if key in seen:  # the same message twice in one mailbox (a copy in two folders)
            continue
        seen.add(key)
        items.append(
            ImportItem(
                index=len(items),
                key=key,
                at=parsed.date,
                sender=parsed.sender,
                sender_label=f"{parsed.sender_name} <{parsed.sender}>" if parsed.sender_name else parsed.sender,
                subject=parsed.subject,
                text=parsed.text,
                attachments=[(a.name, a.data, a.content_type) for a in parsed.attachments],
                raw_sha256=hashlib.sha256(raw).hexdigest(),
            )
        )
    if unreadable:
        notes.append(
            _("%(unreadable)s message(s) could not be read or had no date, and are left out.")
            % {"unreadable": unreadable}
        )
    if not items:
        raise ImportUnreadable(_("No readable message with a date was found in this file."))
    items.sort(key=lambda item: item.at)
    for index, item in enumerate(items):
        item.index = index
    client, owner = (case.client.email or "").lower(), case.owner.email.lower()
    senders = []
    for sender, label in dict((item.sender, item.sender_label) for item in items).items():
        suggested = CLIENT if sender and sender == client else ME if sender == owner else SKIP
        senders.append((sender, label, suggested))
    return items, senders


def _chat_source(data: bytes, kind: str) -> tuple[str, dict[str, bytes]]:
    if kind == "chat_txt":
        try:
            return chatparse.read_text(data), {}
        except chatparse.ChatUnreadable as error:
            raise ImportUnreadable(str(error)) from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportUnreadable(_("This ZIP file is damaged.")) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportUnreadable(
            _("The ZIP holds more than %(members)s files.")
            % {"members": number_format(MAX_ZIP_MEMBERS, force_grouping=True)}
        )
    total = sum(info.file_size for info in infos)
    if total > 4 * settings.IMPORT_MAX_BYTES:
        raise ImportUnreadable(_("The ZIP unpacks to far more than its size; Settle does not open it."))
    texts = [info for info in infos if info.filename.lower().endswith(".txt") and not info.is_dir()]
    if not texts:
        raise ImportUnreadable(_("The ZIP holds no chat text (.txt). Export the chat again with “Export chat”."))
    chat_info = next((info for info in texts if "chat" in info.filename.lower()), texts[0])
    media: dict[str, bytes] = {}
    try:
        text = chatparse.read_text(archive.read(chat_info))
        for info in infos:
            if info is chat_info or info.is_dir() or info.file_size > settings.EVIDENCE_MAX_FILE_BYTES:
                continue
            media[info.filename.rsplit("/", 1)[-1]] = archive.read(info)
    except chatparse.ChatUnreadable as error:
        raise ImportUnreadable(str(error)) from None
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        raise ImportUnreadable(_("A file inside the ZIP is damaged or encrypted.")) from None
    return text, media


def _read_chat(case: Case, chat: chatparse.Chat, media: dict[str, bytes], zone: ZoneInfo):
    if len(chat.messages) > MAX_MESSAGES:
        raise ImportUnreadable(
            _("The chat holds %(len)s messages; import at most %(messages)s.")
            % {
                "len": number_format(len(chat.messages), force_grouping=True),
                "messages": number_format(MAX_MESSAGES, force_grouping=True),
            }
        )
    items = []
    occurrences: dict[str, int] = {}
    for index, message in enumerate(chat.messages):
        at = message.at.replace(tzinfo=zone)
        line = f"{at.astimezone(datetime.UTC).isoformat()}|{message.sender}|{message.text}|{message.attachment}"
        # Two identical lines in the same minute ("ok", "ok") are two messages: count them.
        occurrences[line] = occurrences.get(line, 0) + 1
        digest = hashlib.sha256(f"{line}|{occurrences[line]}".encode()).hexdigest()
        attachments, missing = [], ""
        if message.attachment:
            if message.attachment in media:
                attachments.append((message.attachment, media[message.attachment], "application/octet-stream"))
            else:
                missing = message.attachment
        items.append(
            ImportItem(
                index=index,
                key=f"chat:{digest}",
                at=at,
                sender=message.sender,
                sender_label=message.sender,
                subject="",
                text=message.text or (f"[{message.attachment}]" if message.attachment else ""),
                attachments=attachments,
                missing_media=missing,
            )
        )
    client_name, owner_name = case.client.name.strip().lower(), case.owner.display_name.strip().lower()
    senders = []
    for sender in chat.senders:
        lowered = sender.lower()
        suggested = (
            CLIENT if lowered == client_name else ME if lowered in (owner_name, "you", "du", "tú", "vous") else SKIP
        )
        senders.append((sender, sender, suggested))
    return items, senders
