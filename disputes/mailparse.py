"""Reading e-mail: one raw RFC 822 message in, plain facts out. No database here.

`parse` never trusts what it reads: a malformed structure, an unknown
charset, a missing or absurd Date header, an HTML-only body (reduced to text
with the nh3 sanitizer, so no markup survives) all give a usable result or a
`MailUnreadable` with a message fit to show. `is_auto_reply` and `bounce`
read the headers that mail systems set for automatic mail (RFC 3834's
Auto-Submitted, the older Precedence and X-Autoreply, RFC 3464 delivery
reports), so that such mail never starts the response clock.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import nh3
from django.utils.translation import gettext as _

MAX_SUBJECT = 300
_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\s*>")
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")


class MailUnreadable(ValueError):
    """The bytes are not a message Settle can read; the text says why."""


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Bounce:
    """A delivery report: which message it is about and what the server said."""

    message_id: str
    reason: str


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    date: dt.datetime | None
    text: str
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: tuple[str, ...] = ()
    is_auto_reply: bool = False
    bounce: Bounce | None = None
    notes: tuple[str, ...] = field(default=())


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # A header the policy cannot decode: read it raw.
        value = message.get_all(name, failobj=[""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(value or "").split())


def _message_ids(value: str) -> tuple[str, ...]:
    return tuple(match.lower() for match in _MESSAGE_ID.findall(value or ""))


def normalise_message_id(value: str) -> str:
    found = _message_ids(value)
    return found[0] if found else ""


def _date(message: Message) -> dt.datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def html_to_text(markup: str) -> str:
    """Readable text from an HTML body: line breaks kept, every tag, script and style removed."""
    marked = _BLOCK_END.sub("\n", markup)
    cleaned = nh3.clean(marked, tags=set(), attributes={}, strip_comments=True)
    return _tidy(html.unescape(cleaned))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip()


def _decoded_text(part: Message, notes: list[str]) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        notes.append(f"Unknown character set “{charset[:40]}”; the text was read as UTF-8.")
    except UnicodeDecodeError:
        notes.append(f"Text not valid in its declared character set ({charset[:40]}); unreadable bytes replaced.")
    return payload.decode("utf-8", errors="replace")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = " ".join(str(name).split()).replace("/", "_").replace("\\", "_")
    return name[:200]


def _walk(message: Message, notes: list[str]):
    """(plain, html, attachments) of the message, not descending into attached messages."""
    plain: list[str] = []
    markup: list[str] = []
    attachments: list[Attachment] = []
    stack = [message]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else part.get_payload(decode=True) or b""
            attachments.append(Attachment(_filename(part) or "attached-message.eml", data, ctype))
            continue
        if part.is_multipart():
            stack[0:0] = part.get_payload()
            continue
        name = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if ctype == "text/plain" and not name and disposition != "attachment":
            plain.append(_decoded_text(part, notes))
        elif ctype == "text/html" and not name and disposition != "attachment":
            markup.append(_decoded_text(part, notes))
        elif ctype.startswith("multipart/"):
            continue
        else:
            data = part.get_payload(decode=True) or b""
            if data:
                attachments.append(Attachment(name or f"attachment-{len(attachments) + 1}", data, ctype))
    return plain, markup, attachments


def _bounce(message: Message, sender: str, subject: str, text: str) -> Bounce | None:
    report = message.get_content_type() == "multipart/report" and (
        (message.get_param("report-type") or "").lower() == "delivery-status"
    )
    daemon = sender.split("@")[0].lower() in ("mailer-daemon", "postmaster")
    if not report and not (daemon and re.search(r"(?i)undeliver|failure|returned|not delivered", subject)):
        return None
    original, reason_parts = "", []
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            body = part.as_string()
            for name in ("Status", "Diagnostic-Code", "Final-Recipient", "Action"):
                found = re.search(rf"(?im)^{name}:\s*(.+)$", body)
                if found:
                    reason_parts.append(f"{name}: {found.group(1).strip()}")
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not original:
            inner = part.get_payload()
            inner_text = inner[0].as_string() if isinstance(inner, list) and inner else str(inner)
            found = re.search(r"(?im)^Message-ID:\s*(<[^>]+>)", inner_text)
            if found:
                original = found.group(1).lower()
    if not original:
        refs = _message_ids(_header(message, "In-Reply-To")) + _message_ids(_header(message, "References"))
        original = refs[0] if refs else ""
    if not original:
        found = re.search(r"(?im)^\s*Message-ID:\s*(<[^>]+>)", text)
        original = found.group(1).lower() if found else ""
    reason = "; ".join(reason_parts) or (text.strip().splitlines() or ["The mail server gave no reason."])[0]
    return Bounce(message_id=original, reason=reason[:1000])


def is_auto_reply(message: Message) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    return _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk", "list")


def parse(raw: bytes) -> ParsedMail:
    """Read one message. Raises MailUnreadable if it is not an e-mail at all."""
    if not raw or not raw.strip():
        raise MailUnreadable(_("The message is empty."))
    head = raw[:4096]
    if b"\x00" in head or not re.search(rb"(?im)^(from|to|subject|date|message-id|received|return-path):", head):
        raise MailUnreadable(_("This is not an e-mail: no mail headers were found at its start."))
    try:
        message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as error:  # The parser is lenient; this is a last resort.
        raise MailUnreadable(f"The message could not be read ({type(error).__name__}).") from None
    notes: list[str] = []
    sender_name, sender = parseaddr(_decode_header(message, "From", notes))
    subject = _decode_header(message, "Subject", notes)[:MAX_SUBJECT]
    recipients = tuple(
        address.lower()
        for _, address in getaddresses(
            [
                _decode_header(message, name, notes)
                for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
            ]
        )
        if address
    )
    try:
        plain, markup, attachments = _walk(message, notes)
    except Exception as error:
        raise MailUnreadable(f"The message's structure is broken ({type(error).__name__}).") from None
    text = _tidy("\n\n".join(plain)) if plain else (html_to_text("\n".join(markup)) if markup else "")
    defects = [d for d in message.defects if type(d).__name__ not in ("MissingHeaderBodySeparatorDefect",)]
    if defects:
        notes.append(_("The message's structure has defects; what could be read is shown."))
    sender = sender.lower()
    return ParsedMail(
        message_id=normalise_message_id(_header(message, "Message-ID")),
        sender=sender,
        sender_name=sender_name[:200],
        recipients=recipients,
        subject=subject,
        date=_date(message),
        text=text,
        attachments=tuple(attachments),
        in_reply_to=_message_ids(_header(message, "In-Reply-To")) + _message_ids(_header(message, "References")),
        is_auto_reply=is_auto_reply(message),
        bounce=_bounce(message, sender, subject, text),
        notes=tuple(notes),
    )


def _decode_header(message: Message, name: str, notes: list[str]) -> str:
    value = message.get(name)
    if value is None:
        return ""
    parts = []
    try:
        for chunk, charset in email.header.decode_header(str(value)):
            if isinstance(chunk, bytes):
                try:
                    parts.append(chunk.decode(charset or "ascii"))
                except (LookupError, UnicodeDecodeError):
                    notes.append(f"The {name} header uses an unknown or broken character set.")
                    parts.append(chunk.decode("utf-8", errors="replace"))
            else:
                parts.append(chunk)
    except Exception:
        parts = [str(value)]
    return " ".join("".join(parts).split())


def tokens_for(addresses: tuple[str, ...] | list[str], prefix: str) -> list[str]:
    """The reply tokens in addresses shaped `<prefix>+<token>@…`, in order."""
    found = []
    for address in addresses:
        local = address.split("@")[0]
        if local.startswith(prefix + "+"):
            token = local[len(prefix) + 1 :]
            if re.fullmatch(r"[a-z0-9]{16,40}", token):
                found.append(token)
    return found


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file (mboxo or mboxrd): split on "From " lines, quoting undone."""
    messages: list[bytes] = []
    current: list[bytes] | None = None
    previous_blank = True
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and previous_blank:
            if current:
                messages.append(b"".join(current))
            current = []
        elif current is not None:
            current.append(line[1:] if re.match(rb">+From ", line) else line)
        previous_blank = line.strip() == b""
    if current:
        messages.append(b"".join(current))
    return [message.rstrip(b"\r\n") + b"\n" for message in messages if message.strip()]
