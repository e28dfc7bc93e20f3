"""Mail that comes back to a case: the client's replies, automatic replies, bounces.

A message reaches Settle by `manage.py mail_in` (the mail server pipes it
in), by the IMAP poll (`mailbox_poll`), or by hand. `mail_receive` finds the
case from the reply address (`<prefix>+<token>@<domain>`, see
`services.mail_out.reply_address`) and `mail_file` decides what it is:

- the same Message-ID (or, without one, the same bytes) already on the case:
  nothing more is filed;
- a delivery report about a mail Settle sent: recorded on that mail and on
  the timeline beside it ("not delivered"); it never starts the clock;
- an automatic reply (out of office…): on the timeline as such; it never
  starts the clock;
- from the client's address: an incoming message at the time its Date header
  gives (never later than when it arrived), with its text (HTML reduced to
  text), its attachments as evidence through the upload checks, and the raw
  message itself as evidence; the response clock starts from that time;
- from any other address: held for the freelancer to accept or reject.

Everything about one message is written in one transaction, or nothing.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes import mailparse
from disputes.languages import on_the_record
from disputes.models import Case, Channel, ClientMail, Evidence, ReceivedMessage, TimelineEntry
from disputes.services.common import ensure_owner
from disputes.services.evidence import (
    EvidenceDetails,
    EvidenceRefused,
    evidence_discard,
    evidence_prepare,
    evidence_prepare_made,
    evidence_record,
)
from disputes.services.mail_out import mail_bounced
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append

logger = logging.getLogger(__name__)

# A Date header a little ahead of the arrival is a sender's clock running fast; more is not believed.
DATE_TOLERANCE = datetime.timedelta(minutes=5)
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class Filed:
    outcome: str  # filed, held, duplicate, auto_reply, bounce, no_case
    case_id: int | None = None
    detail: str = ""


def _key(parsed: mailparse.ParsedMail, raw: bytes) -> str:
    return parsed.message_id[:300] if parsed.message_id else f"sha256:{hashlib.sha256(raw).hexdigest()}"


def happened_at(dated: datetime.datetime | None, received: datetime.datetime) -> datetime.datetime:
    """When the message was written: its Date header, bounded by when it arrived."""
    if dated is None or dated > received + DATE_TOLERANCE:
        return received
    return min(dated, received)


def mail_receive(
    *, raw: bytes, source: str = ReceivedMessage.Source.MAIL_IN, recipients=(), now: datetime.datetime | None = None
) -> Filed:
    """File one raw message on the case its reply address names. Raises MailUnreadable for non-mail."""
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise mailparse.MailUnreadable(
            _("The message is larger than %(bytes)s MB; Settle does not keep it.")
            % {"bytes": settings.MAIL_MAX_BYTES // (1024 * 1024)}
        )
    parsed = mailparse.parse(raw)
    addresses = [address.lower() for address in recipients] + list(parsed.recipients)
    tokens = mailparse.tokens_for(addresses, settings.MAIL_REPLY_PREFIX)
    case = Case.objects.filter(reply_token__in=tokens).select_related("client", "owner").first() if tokens else None
    if case is None:
        return Filed("no_case", detail="No case has this reply address.")
    return mail_file(case=case, raw=raw, parsed=parsed, source=source, now=now)


def _already(case: Case, key: str, parsed: mailparse.ParsedMail) -> bool:
    if ReceivedMessage.objects.filter(case=case, key=key).exists():
        return True
    # Settle's own sent mail coming back (a copy, an import of the sent folder).
    return (
        bool(parsed.message_id) and ClientMail.objects.filter(case=case, message_id__iexact=parsed.message_id).exists()
    )


def mail_file(
    *,
    case: Case,
    raw: bytes,
    parsed: mailparse.ParsedMail,
    source: str,
    now: datetime.datetime | None = None,
    accept_sender: bool = False,
    held: ReceivedMessage | None = None,
) -> Filed:
    now = now or timezone.now()
    key = _key(parsed, raw)
    if held is None and _already(case, key, parsed):
        return Filed("duplicate", case.pk, "This message is already on the case.")
    if parsed.bounce is not None:
        return _file_bounce(case, raw, parsed, key, source, now)
    client_address = (case.client.email or "").lower()
    if not accept_sender and not parsed.is_auto_reply and (not client_address or parsed.sender != client_address):
        return _hold(case, raw, parsed, key, source, now)
    try:
        return _file_message(case, raw, parsed, key, source, now, held=held)
    except IntegrityError:  # another delivery of the same message won the race
        return Filed("duplicate", case.pk, "This message is already on the case.")


def _received_body(parsed, *, source: str, auto: bool, moment, attachments, notes, raw_sha256: str) -> str:
    """The entry's text: who sent it and how it came, its headers, attachments and fingerprints, then the text."""
    sender = f"{parsed.sender_name} <{parsed.sender}>" if parsed.sender_name else f"<{parsed.sender}>"
    said = {
        (False, ReceivedMessage.Source.MAIL_IN): gettext("E-mail from %(sender)s, received by Settle."),
        (False, ReceivedMessage.Source.IMAP): gettext("E-mail from %(sender)s, fetched by Settle from its mailbox."),
        (True, ReceivedMessage.Source.MAIL_IN): gettext("Automatic reply from %(sender)s, received by Settle."),
        (True, ReceivedMessage.Source.IMAP): gettext(
            "Automatic reply from %(sender)s, fetched by Settle from its mailbox."
        ),
    }.get((auto, source)) or (
        gettext("Automatic reply from %(sender)s, imported.") if auto else gettext("E-mail from %(sender)s, imported.")
    )
    lines = [
        said % {"sender": sender},
        gettext("Subject: %(subject)s") % {"subject": parsed.subject or gettext("(none)")},
    ]
    if parsed.message_id:
        lines.append(f"Message-ID: {parsed.message_id}")
    if parsed.date is None:
        lines.append(gettext("The message has no readable Date header: the time is when Settle received it."))
    elif moment != parsed.date:
        lines.append(
            gettext("Its Date header (%(date)s) is later than its arrival: the arrival time is used.")
            % {"date": parsed.date.isoformat()}
        )
    for item in attachments:
        lines.append(
            gettext("Attached: %(name)s (SHA-256 %(sha256)s)") % {"name": item.original_name, "sha256": item.sha256}
        )
    lines += [*parsed.notes, *notes]
    lines.append(gettext("The message as received: SHA-256 %(sha256)s") % {"sha256": raw_sha256})
    return "\n".join(lines) + "\n\n" + (parsed.text or gettext("(no text)"))


def _row(case, raw, parsed, key, source, now, status) -> ReceivedMessage:
    return ReceivedMessage(
        case=case,
        key=key,
        source=source,
        status=status,
        message_id=parsed.message_id[:300],
        sender=parsed.sender[:300],
        subject=parsed.subject[:300],
        dated_at=parsed.date,
        received_at=now,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
    )


def _file_bounce(case, raw, parsed, key, source, now) -> Filed:
    bounce = parsed.bounce
    ids = [bounce.message_id, *parsed.in_reply_to] if bounce.message_id else list(parsed.in_reply_to)
    mail = next(
        (
            found
            for found in (
                ClientMail.objects.filter(case=case, message_id__iexact=message_id)
                .select_related("case__owner")
                .first()
                for message_id in ids
                if message_id
            )
            if found is not None
        ),
        None,
    )
    try:
        with transaction.atomic():
            _row(case, raw, parsed, key, source, now, ReceivedMessage.Status.BOUNCE).save()
            if mail is not None:
                mail_bounced(mail=mail, reason=bounce.reason, at=now)
    except IntegrityError:
        return Filed("duplicate", case.pk, "This report is already on the case.")
    if mail is None:
        return Filed("bounce", case.pk, "A delivery report for a message Settle does not know.")
    return Filed("bounce", case.pk, f"Delivery failure recorded on “{mail.subject}”.")


def _hold(case, raw, parsed, key, source, now) -> Filed:
    row = _row(case, raw, parsed, key, source, now, ReceivedMessage.Status.HELD)
    row.raw.save("held.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            row.save()
            notification_queue(
                key=f"mail-held:{row.pk}",
                user=case.owner,
                template="disputes/email/mail_held",
                context={
                    "case": case,
                    "row": row,
                    "url": f"{settings.SITE_URL}{case.get_absolute_url()}#mail",
                },
                subject=_("Settle: a message for one of your cases is waiting for you"),
                now=now,
                send_after_commit=True,
            )
    except IntegrityError:
        row.raw.storage.delete(row.raw.name)
        return Filed("duplicate", case.pk, "This message is already waiting on the case.")
    except BaseException:
        row.raw.storage.delete(row.raw.name)
        raise
    return Filed("held", case.pk, f"Held: {parsed.sender or 'no sender'} is not the client's address.")


def _attachments_prepared(case, author, parsed) -> tuple[list[Evidence], list[str]]:
    prepared: list[Evidence] = []
    notes: list[str] = []
    for index, attachment in enumerate(parsed.attachments):
        if index >= MAX_ATTACHMENTS:
            more = len(parsed.attachments) - MAX_ATTACHMENTS
            notes.append(
                ngettext(
                    "%(count)d more attachment not kept separately.",
                    "%(count)d more attachments not kept separately.",
                    more,
                )
                % {"count": more}
            )
            break
        upload = SimpleUploadedFile(attachment.name, attachment.data, content_type=attachment.content_type)
        details = EvidenceDetails(kind=Evidence.Kind.OTHER, caption=f"Attached to “{parsed.subject}”"[:300])
        try:
            prepared += evidence_prepare(case=case, author=author, uploads=[upload], details=details)
        except EvidenceRefused as refused:
            reason = "; ".join(refused.errors.values())
            notes.append(
                gettext("Attachment “%(name)s” kept only inside the raw message: %(reason)s")
                % {"name": attachment.name, "reason": reason}
            )
    return prepared, notes


def _file_message(case, raw, parsed, key, source, now, *, held: ReceivedMessage | None) -> Filed:
    author = case.owner
    auto = parsed.is_auto_reply
    moment = happened_at(parsed.date, held.received_at if held else now)
    raw_evidence = evidence_prepare_made(
        case=case,
        author=author,
        name=f"E-mail received {timezone.localtime(moment, ZoneInfo(author.time_zone)):%Y-%m-%d %H%M}.eml",
        data=raw,
        content_type="message/rfc822",
        extension=".eml",
        details=EvidenceDetails(kind=Evidence.Kind.EMAIL, caption=f"E-mail as received: {parsed.subject}"[:300]),
    )
    with on_the_record(case.owner):
        attachments, notes = ([], []) if auto else _attachments_prepared(case, author, parsed)
    prepared = [raw_evidence, *attachments]
    with on_the_record(case.owner):
        body = _received_body(parsed, source=source, auto=auto, moment=moment, attachments=attachments,
                              notes=notes, raw_sha256=raw_evidence.sha256)  # fmt: skip
    try:
        with transaction.atomic():
            if held is not None:
                changed = ReceivedMessage.objects.filter(pk=held.pk, status=ReceivedMessage.Status.HELD).update(
                    status=ReceivedMessage.Status.FILED, decided_at=now
                )
                if changed != 1:
                    raise ValidationError(_("This message was already accepted or rejected."))
                row = held
            else:
                row = _row(
                    case,
                    raw,
                    parsed,
                    key,
                    source,
                    now,
                    ReceivedMessage.Status.AUTO_REPLY if auto else ReceivedMessage.Status.FILED,
                )
                row.save()
            entry = entry_append(
                case=case,
                author=author,
                kind=TimelineEntry.Kind.AUTO_REPLY if auto else TimelineEntry.Kind.MESSAGE_IN,
                channel=Channel.EMAIL,
                body=body,
                happened_at=moment,
                fingerprints=tuple(item.sha256 for item in prepared),
            )
            evidence_record(prepared, entry=entry, announce=False)
            ReceivedMessage.objects.filter(pk=row.pk).update(entry=entry)
    except BaseException:
        evidence_discard(prepared)
        raise
    if held is not None and held.raw:
        held.raw.storage.delete(held.raw.name)
    return Filed("auto_reply" if auto else "filed", case.pk, "On the timeline.")


# --- The freelancer's decision on held mail ---------------------------------------------------
def received_accept(*, received: ReceivedMessage, actor: User, now: datetime.datetime | None = None) -> Filed:
    """File a held message as the client's after all."""
    ensure_owner(received.case, actor)
    if received.status != ReceivedMessage.Status.HELD or not received.raw:
        raise ValidationError(_("This message was already accepted or rejected."))
    with received.raw.open("rb") as stored:
        raw = stored.read()
    parsed = mailparse.parse(raw)
    return mail_file(
        case=received.case, raw=raw, parsed=parsed, source=received.source, now=now, accept_sender=True, held=received
    )


def received_reject(*, received: ReceivedMessage, actor: User, now: datetime.datetime | None = None) -> bool:
    """Leave a held message off the case; its bytes are removed."""
    ensure_owner(received.case, actor)
    now = now or timezone.now()
    changed = ReceivedMessage.objects.filter(pk=received.pk, status=ReceivedMessage.Status.HELD).update(
        status=ReceivedMessage.Status.REJECTED, decided_at=now, raw=""
    )
    if changed and received.raw:
        received.raw.storage.delete(received.raw.name)
    return changed == 1
