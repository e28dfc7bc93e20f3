"""Mail from a case to its client, sent by Settle, with proof of what went and when.

The freelancer writes (or takes a reminder from the kit, or sends a final
letter); `mail_queue` checks it and writes a `ClientMail` row, due now, at a
chosen time, or after a cooling-off hold. The outbox (`services.outbox`)
claims the row and hands the message to the SMTP server. Only when the
server has accepted it does the mail go on the timeline (`mail_record`): an
outgoing message whose body is exactly the text sent, with the subject, the
Message-ID, the attachments and their SHA-256, and the message's raw bytes
kept as evidence whose fingerprint the entry carries. That entry is what
stops the response clock and, for a letter, starts its deadline. Until then
nothing claims the mail was sent.

Every mail carries the case's reply address (`reply_address`) as Reply-To
and as envelope sender, so the client's answer and any bounce come back to
the case (`services.mail_in`).
"""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.languages import on_the_record
from disputes.models import Case, Channel, Client, ClientMail, Evidence, Letter, TimelineEntry, raw_mail_upload_to
from disputes.queue import enqueue_after_commit
from disputes.rules import tone
from disputes.services.common import ensure_owner
from disputes.services.evidence import (
    EvidenceDetails,
    evidence_discard,
    evidence_prepare_made,
    evidence_record,
    evidence_shared_copy,
)
from disputes.services.letter_tracking import letter_sent_by_settle
from disputes.services.outbox import Outcome, new_message_id, outbox_reclaim, outbox_send, outbox_send_due
from disputes.services.timeline import entry_append
from disputes.uploads import safe_download_name

logger = logging.getLogger(__name__)

MAX_SCHEDULE_DAYS = 90
CLOSED_CASE = "The case is closed. Reopen it before writing to the client."


# --- The reply address ----------------------------------------------------------------------
def reply_address(case: Case) -> str:
    """The case's own reply address, made on first use: <prefix>+<token>@<domain>."""
    if not case.reply_token:
        token = secrets.token_hex(12)  # 96 bits, lowercase hex: survives case-folding mail systems
        Case.objects.filter(pk=case.pk, reply_token__isnull=True).update(reply_token=token)
        case.reply_token = Case.objects.values_list("reply_token", flat=True).get(pk=case.pk)
    return reply_address_shown(case)


def reply_address_shown(case: Case) -> str:
    """The reply address if the case has one already (for a page: showing it creates nothing)."""
    return f"{settings.MAIL_REPLY_PREFIX}+{case.reply_token}@{settings.MAIL_REPLY_DOMAIN}" if case.reply_token else ""


# --- Writing a mail -------------------------------------------------------------------------
def heated_message(case: Case, now: datetime.datetime) -> TimelineEntry | None:
    """The client's latest message, if it came within the cooling-off window and reads as heated."""
    window = datetime.timedelta(minutes=settings.MAIL_COOL_OFF_MINUTES)
    if not window:
        return None
    latest = (
        TimelineEntry.objects.filter(
            case=case, kind=TimelineEntry.Kind.MESSAGE_IN, happened_at__gte=now - window, corrections__isnull=True
        )
        .order_by("-happened_at", "-id")
        .first()
    )
    return latest if latest is not None and tone.is_heated(latest.body) else None


def _check(*, case: Case, subject: str, body: str, attachments: list[Evidence], send_at, now) -> None:
    errors: dict[str, str] = {}
    if case.status != Case.Status.OPEN:
        raise ValidationError(CLOSED_CASE)
    if not case.client.email:
        raise ValidationError(
            _("Settle has no e-mail address for %(client_name)s. Add it on the client's page, then write again.")
            % {"client_name": case.client.name}
        )
    if not subject.strip():
        errors["subject"] = _("Write a subject.")
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = _("The subject must be one line.")
    if not body.strip():
        errors["body"] = _("Write the message.")
    if any(item.case_id != case.pk for item in attachments):
        errors["attachments"] = _("Attach only this case's evidence.")
    elif (total := sum(item.size for item in attachments)) > settings.MAIL_MAX_BYTES:
        errors["attachments"] = _(
            "The files add up to %(number)s MB; mail servers refuse messages over %(number2)s MB. Attach fewer."
        ) % {"number": f"{total / 2**20:.1f}", "number2": settings.MAIL_MAX_BYTES // 2**20}
    if send_at is not None:
        if send_at < now - datetime.timedelta(minutes=1):
            errors["send_at"] = _("This time has passed. Leave it empty to send now, or pick a later time.")
        elif send_at > now + datetime.timedelta(days=MAX_SCHEDULE_DAYS):
            errors["send_at"] = _("Schedule at most %(days)s days ahead.") % {"days": MAX_SCHEDULE_DAYS}
    if errors:
        raise ValidationError(errors)


def _one_reminder_a_day(*, case: Case, author: User, send_after: datetime.datetime) -> None:
    zone = ZoneInfo(author.time_zone)
    day = timezone.localtime(send_after, zone).date()
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    taken = (
        ClientMail.objects.filter(
            case__client_id=case.client_id,
            purpose=ClientMail.Purpose.REMINDER,
            send_after__gte=start,
            send_after__lt=start + datetime.timedelta(days=1),
        )
        .exclude(status=ClientMail.Status.CANCELLED)
        .exclude(status=ClientMail.Status.FAILED, next_attempt_at__isnull=True)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "send_at": (
                    _(
                        "A reminder to %(client_name)s is already set for %(day)s: Settle sends at most one a "
                        "day to a client. Pick another day."
                    )
                    % {"client_name": case.client.name, "day": f"{day:%d %B %Y}"}
                )
            }
        )


# A chosen cooling-off hold: long enough to read the draft again, short of the answer window.
MAX_HOLD_MINUTES = 120


def mail_queue(
    *,
    case: Case,
    author: User,
    subject: str,
    body: str,
    attachments: Iterable[Evidence] = (),
    send_at: datetime.datetime | None = None,
    purpose: str = ClientMail.Purpose.MESSAGE,
    template: str = "",
    letter: Letter | None = None,
    hold_minutes: int | None = None,
    now: datetime.datetime | None = None,
) -> ClientMail:
    """Write a mail to the client to the outbox: now, at `send_at`, or after a cooling-off hold
    (the one a heated client message sets, or `hold_minutes` the freelancer chose).

    Nothing is on the timeline yet; `mail_record` puts it there once the mail
    server has accepted it.
    """
    ensure_owner(case, author)
    now = now or timezone.now()
    attachments = list(attachments)
    subject = " ".join(subject.split())
    _check(case=case, subject=subject, body=body, attachments=attachments, send_at=send_at, now=now)
    if hold_minutes is not None:
        if send_at is not None:
            raise ValidationError({"hold_minutes": _("Choose a time to send it or a hold, not both.")})
        if not 1 <= hold_minutes <= MAX_HOLD_MINUTES:
            raise ValidationError(
                {"hold_minutes": _("Hold it between 1 and %(minutes)s minutes.") % {"minutes": MAX_HOLD_MINUTES}}
            )
    held = False
    send_after = send_at or now
    if hold_minutes is not None:
        held = True
        send_after = now + datetime.timedelta(minutes=hold_minutes)
    elif send_at is None and heated_message(case, now) is not None:
        held = True
        send_after = now + datetime.timedelta(minutes=settings.MAIL_HOLD_MINUTES)
    with transaction.atomic():
        # One writer at a time per client, so two tabs cannot both set today's reminder.
        Client.objects.select_for_update().filter(pk=case.client_id).first()
        if purpose == ClientMail.Purpose.REMINDER:
            _one_reminder_a_day(case=case, author=author, send_after=send_after)
        mail = ClientMail.objects.create(
            case=case,
            author=author,
            purpose=purpose,
            template=template,
            to_email=case.client.email,
            reply_to=reply_address(case),
            subject=subject[:200],
            body=body.replace("\r\n", "\n").strip(),
            letter=letter,
            send_after=send_after,
            held=held,
            next_attempt_at=send_after,
            created_at=now,
            message_id=new_message_id(),
        )
        mail.attachments.set(attachments)
        if send_after <= now:
            enqueue_after_commit("disputes.tasks.send_client_mail", mail.pk)
    return mail


def mail_send_now(*, mail: ClientMail, actor: User, now: datetime.datetime | None = None) -> bool:
    """Send a scheduled or held mail at once (the freelancer's "send now"). False if it already went."""
    ensure_owner(mail.case, actor)
    now = now or timezone.now()
    with transaction.atomic():
        changed = ClientMail.objects.filter(
            pk=mail.pk, status=ClientMail.Status.PENDING, cancelled_at__isnull=True
        ).update(send_after=now, next_attempt_at=now, held=False)
        if changed:
            enqueue_after_commit("disputes.tasks.send_client_mail", mail.pk)
    return changed == 1


def mail_cancel(*, mail: ClientMail, actor: User, now: datetime.datetime | None = None) -> bool:
    """Cancel a mail that has not gone yet. False if it is being sent or already went."""
    ensure_owner(mail.case, actor)
    now = now or timezone.now()
    changed = ClientMail.objects.filter(
        pk=mail.pk, status__in=[ClientMail.Status.PENDING, ClientMail.Status.FAILED]
    ).update(status=ClientMail.Status.CANCELLED, cancelled_at=now, next_attempt_at=None)
    return changed == 1


# --- Sending --------------------------------------------------------------------------------
class FrozenEmail(EmailMessage):
    """An EmailMessage built into MIME once: the bytes fingerprinted are the bytes handed over."""

    _frozen = None

    def message(self, *args, **kwargs):
        if self._frozen is None:
            self._frozen = super().message(*args, **kwargs)
        return self._frozen


def _sender(mail: ClientMail) -> str:
    """The From header: the freelancer's name "via Settle", on Settle's own sending address."""
    name = " ".join(mail.author.display_name.split())
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@settle.localhost"
    return formataddr((f"{name} via Settle", address))


def _attachments(mail: ClientMail) -> list[tuple[str, bytes, str]]:
    files = []
    if mail.letter_id:
        with mail.letter.pdf.open("rb") as pdf:
            files.append((f"{safe_download_name(mail.letter.subject, '.pdf')}", pdf.read(), "application/pdf"))
    for evidence in mail.attachments.order_by("id"):
        # Images go as the copy without metadata (no GPS position leaves with a photo).
        source = evidence_shared_copy(evidence=evidence) or evidence
        with source.file.open("rb") as stored:
            files.append(
                (safe_download_name(evidence.original_name, evidence.extension), stored.read(), evidence.content_type)
            )
    return files


def mail_build(row: ClientMail, now: datetime.datetime) -> EmailMessage:
    """The message exactly as it will be handed over; its bytes and their SHA-256 are stored first."""
    mail = ClientMail.objects.select_related("author", "letter", "case").get(pk=row.pk)
    message = FrozenEmail(
        subject=mail.subject,
        body=mail.body + "\n",
        from_email=_sender(mail),
        to=[mail.to_email],
        reply_to=[mail.reply_to],
        headers={"Message-ID": mail.message_id},
    )
    message.envelope_from = mail.reply_to
    attached = []
    for name, data, content_type in _attachments(mail):
        message.attach(name, data, content_type)
        attached.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    raw = message.message().as_bytes(linesep="\r\n")
    stored = mail.raw.storage.save(raw_mail_upload_to(mail, "sent.eml"), ContentFile(raw))
    previous = mail.raw.name
    ClientMail.objects.filter(pk=mail.pk).update(
        raw=stored, raw_sha256=hashlib.sha256(raw).hexdigest(), attached=attached
    )
    if previous and previous != stored:
        mail.raw.storage.delete(previous)
    return message


def mail_send(*, pk: int, now: datetime.datetime | None = None) -> Outcome:
    """Send one queued mail now (the task run right after the commit, or the sweep)."""
    return outbox_send(model=ClientMail, pk=pk, build=mail_build, now=now, on_sent=mail_record)


def mail_send_due(*, now: datetime.datetime) -> dict:
    """The sweep's step for client mail: take back lost claims, send what is due, record what went."""
    retry, unknown = outbox_reclaim(model=ClientMail, now=now)
    counts = outbox_send_due(model=ClientMail, build=mail_build, now=now, on_sent=mail_record)
    recorded = 0
    for pk in ClientMail.objects.filter(status=ClientMail.Status.SENT, entry__isnull=True).values_list("pk", flat=True):
        if mail_record(pk) is not None:
            recorded += 1
    return {"sent": counts[Outcome.SENT], "failed": counts[Outcome.FAILED], "recorded_late": recorded,
            "unknown": counts[Outcome.UNKNOWN] + unknown, "reclaimed": retry}  # fmt: skip


def _entry_body(mail: ClientMail) -> str:
    with on_the_record(mail.case.owner):
        lines = [
            gettext("E-mail sent by Settle to %(to)s; the mail server accepted it.") % {"to": mail.to_email},
            gettext("Subject: %(subject)s") % {"subject": mail.subject},
            f"Message-ID: {mail.message_id}",
            gettext("Replies go to: %(address)s") % {"address": mail.reply_to},
        ]
        for item in mail.attached:
            size = number_format(item["size"], force_grouping=True)
            said = gettext("Attached: %(name)s (%(size)s bytes, SHA-256 %(sha256)s)")
            lines.append(said % {"name": item["name"], "size": size, "sha256": item["sha256"]})
        lines.append(gettext("The message as sent: SHA-256 %(sha256)s") % {"sha256": mail.raw_sha256})
    return "\n".join(lines) + "\n\n" + mail.body


def mail_record(pk: int) -> TimelineEntry | None:
    """Put a mail the server accepted on the timeline, once; None if it is not (yet) sent."""
    mail = ClientMail.objects.select_related("case", "author", "letter").get(pk=pk)
    if mail.status != ClientMail.Status.SENT or mail.entry_id:
        return None
    with mail.raw.open("rb") as stored:
        raw = stored.read()
    moment = timezone.localtime(mail.sent_at, ZoneInfo(mail.case.owner.time_zone))
    prepared = [
        evidence_prepare_made(
            case=mail.case,
            author=mail.author,
            name=f"E-mail sent {moment:%Y-%m-%d %H%M}.eml",
            data=raw,
            content_type="message/rfc822",
            extension=".eml",
            details=EvidenceDetails(kind=Evidence.Kind.EMAIL, caption=f"E-mail as sent: {mail.subject}"[:300]),
        )
    ]
    try:
        with transaction.atomic():
            locked = ClientMail.objects.select_for_update().get(pk=pk)
            if locked.entry_id:
                evidence_discard(prepared)
                return None
            entry = entry_append(
                case=mail.case,
                author=mail.author,
                kind=TimelineEntry.Kind.MESSAGE_OUT,
                channel=Channel.EMAIL,
                body=_entry_body(mail),
                happened_at=mail.sent_at,
                fingerprints=(mail.raw_sha256, *(item["sha256"] for item in mail.attached)),
            )
            evidence_record(prepared, entry=entry, announce=False)
            ClientMail.objects.filter(pk=pk).update(entry=entry)
            if mail.letter_id:
                letter_sent_by_settle(letter=mail.letter, sent_at=mail.sent_at, entry=entry)
    except BaseException:
        evidence_discard(prepared)
        raise
    return entry


def mail_bounced(*, mail: ClientMail, reason: str, at: datetime.datetime) -> TimelineEntry | None:
    """Record, once, that a sent mail came back undelivered: on the mail and on the timeline beside it."""
    with transaction.atomic():
        won = ClientMail.objects.filter(pk=mail.pk, bounced_at__isnull=True).update(
            bounced_at=at, bounce_reason=reason[:2000]
        )
        if not won or not mail.entry_id:
            return None
        owner = mail.case.owner
        with on_the_record(owner):
            said = gettext(
                "The mail server reported that the e-mail “%(subject)s” (%(message_id)s) to %(to)s "
                "was not delivered: %(reason)s"
            ) % {"subject": mail.subject, "message_id": mail.message_id, "to": mail.to_email, "reason": reason}
        return entry_append(
            case=mail.case, author=owner, kind=TimelineEntry.Kind.DELIVERY_FAILED, body=said, about=mail.entry
        )
