"""Formal letters: drafting from the case's facts, finalising to a frozen PDF.

The freelancer edits plain text only; Settle's own HTML template lays it out
(escaped) for the preview and the PDF. Finalising renders the PDF once,
stores it with its SHA-256, and records it on the timeline as an outgoing
message; from then on the letter never changes. A draft that is not wanted
any more is discarded (it was never on the record). The deadline tracking
after sending is in `services.letter_tracking`.

A letter is always in its case's currency, which is its project's.
"""

import datetime
import hashlib
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import client_language, in_sentence, on_the_record, record_date
from disputes.models import Case, Channel, ClientMail, Letter, TimelineEntry, letter_upload_to
from disputes.pdf import render_pdf
from disputes.rules import dates, deadlines, ladder
from disputes.services.cases import StaleCase, case_move
from disputes.services.common import apply_fields, ensure_owner
from disputes.services.letter_texts import letter_cover_note, unpaid_milestones
from disputes.services.letter_texts import letter_defaults as letter_defaults
from disputes.services.letter_tracking import letters_sync_payments
from disputes.services.mail_out import mail_queue
from disputes.services.timeline import entry_append

LETTER_FIELDS = ("subject", "body", "amount_owed", "payment_instructions", "channel", "legal_action_date")
CLOSED_CASE = "The case is closed. Reopen it before writing or sending a letter."
# A letter sent by hand is recorded within this many days of its sending.
RECORDED_MAX_DAYS_BACK = 60


def _validate(kind: str, data: Mapping[str, Any]) -> None:
    errors = {}
    legal_action_date = data.get("legal_action_date")
    if kind == Letter.Kind.FINAL_NOTICE and not legal_action_date:
        errors["legal_action_date"] = _("A final notice names the date legal action follows.")
    if kind != Letter.Kind.FINAL_NOTICE and legal_action_date:
        errors["legal_action_date"] = _("Only a final notice names a date for legal action.")
    if legal_action_date and not dates.in_range(legal_action_date):
        errors["legal_action_date"] = dates.OUT_OF_RANGE
    if data.get("amount_owed") is not None and data["amount_owed"] <= 0:
        errors["amount_owed"] = _("Enter the amount owed.")
    if errors:
        raise ValidationError(errors)


def letter_draft(
    *, case: Case, author: User, kind: str, data: Mapping[str, Any], supersedes: Letter | None = None
) -> Letter:
    """Write a new draft. `supersedes` is the final letter it will replace once finalised.

    A letter has at most one live (not discarded) letter superseding it, a
    database constraint; a second attempt is told where the first one is.
    """
    ensure_owner(case, author)
    if kind not in Letter.Kind.values:
        raise ValidationError(_("Unknown kind of letter."))
    if case.status != Case.Status.OPEN:
        raise ValidationError(CLOSED_CASE)
    if supersedes is not None and (supersedes.case_id != case.pk or not supersedes.is_final):
        raise ValidationError(_("Only a final letter of this case can be superseded."))
    if supersedes is not None and supersedes.superseded_at is not None:
        raise ValidationError(_("That letter has already been replaced by a newer one."))
    data = dict(data)
    agreement = data.pop("agreement", None)
    if agreement is not None and agreement.project_id != case.project_id:
        raise ValidationError({"agreement": _("That agreement belongs to another project.")})
    _validate(kind, data)
    now = timezone.now()
    letter = Letter(
        case=case,
        owner_id=case.owner_id,
        kind=kind,
        agreement=agreement,
        currency=case.currency,
        language=client_language(case.client),
        supersedes=supersedes,
        created_by=author,
        created_at=now,
        updated_at=now,
    )
    apply_fields(letter, data, LETTER_FIELDS)
    letter.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        raise ValidationError(
            "There is already a draft replacing that letter. Finish or discard it first (it is listed on the case)."
        ) from None
    return letter


def letter_update(*, letter: Letter, author: User, data: Mapping[str, Any]) -> Letter:
    """Change a draft. A final letter is frozen, a discarded one gone."""
    ensure_owner(letter.case, author)
    data = dict(data)
    agreement = data.pop("agreement", letter.agreement)
    if agreement is not None and agreement.project_id != letter.case.project_id:
        raise ValidationError({"agreement": _("That agreement belongs to another project.")})
    _validate(letter.kind, data)
    apply_fields(letter, data, LETTER_FIELDS)
    letter.agreement = agreement
    letter.full_clean(validate_constraints=False)
    changed = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).update(
        agreement=agreement, updated_at=timezone.now(), **{name: getattr(letter, name) for name in data}
    )
    if changed != 1:
        raise ValidationError(_("Only a draft can be changed. A final letter is superseded by writing a new one."))
    letter.refresh_from_db()
    return letter


def letter_discard(*, letter: Letter, actor: User) -> Letter:
    """Throw a draft away. It was never sent or on the timeline; the row stays, marked discarded."""
    ensure_owner(letter.case, actor)
    discarded = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).update(
        status=Letter.Status.DISCARDED, updated_at=timezone.now()
    )
    if discarded != 1:
        raise ValidationError(_("Only a draft can be discarded; this letter is final or already discarded."))
    letter.refresh_from_db()
    return letter


def letter_context(letter: Letter, *, sent_on: datetime.date, user: User) -> dict[str, Any]:
    """Everything the letter template shows: the same for the preview and the PDF."""
    case = letter.case
    deadline = deadlines.letter_deadline(sent_on, settings.LETTER_DEADLINE_DAYS)
    milestones = unpaid_milestones(case)
    with translation.override(letter.language):  # amounts as the letter's reader writes them
        total = format_money(letter.amount_owed, letter.currency)
        owed = [(m, format_money(m.amount, letter.currency)) for m in milestones]
    return {
        "letter": letter,
        "case": case,
        "freelancer": user,
        "client": case.client,
        "project": case.project,
        "agreement": letter.agreement,
        "milestones": owed,
        "total": total,
        "sent_on": sent_on,
        "deadline": deadline,
        "deadline_days": settings.LETTER_DEADLINE_DAYS,
        "paragraphs": [p.strip() for p in letter.body.replace("\r\n", "\n").split("\n\n") if p.strip()],
    }


def _climb_needed(case: Case, move_case: bool) -> bool:
    """Whether finalising must also move the case to the formal-letter rung (or why it cannot)."""
    if case.status != Case.Status.OPEN:
        raise ValidationError(CLOSED_CASE)
    if not move_case or case.stage == ladder.FORMAL_LETTER:
        return False
    if ladder.stage_index(case.stage) > ladder.stage_index(ladder.FORMAL_LETTER):
        raise ValidationError(_("The case is already past the formal-letter rung. Send the letter without moving it."))
    if case.stage != ladder.REMINDERS:
        raise ValidationError(
            "The ladder moves one rung at a time: move the case to reminders first, "
            "or send the letter without moving the case."
        )
    return True


def _delivery_checked(
    *, letter: Letter, actor: User, delivery: str, sent_on: datetime.date | None, channel: str | None
) -> tuple[datetime.date, str]:
    """The letter's date and channel for `delivery`, or a ValidationError saying what is wrong."""
    today = timezone.localdate(timezone.now(), timezone=ZoneInfo(actor.time_zone))
    if delivery == Letter.Delivery.SETTLE:
        if not letter.case.client.email:
            raise ValidationError(
                _(
                    "Settle has no e-mail address for %(client_name)s. Add it on the client's page, or send "
                    "the letter yourself and record it here."
                )
                % {"client_name": letter.case.client.name}
            )
        return today, Channel.EMAIL
    if delivery != Letter.Delivery.RECORDED:
        raise ValidationError({"delivery": _("Say how the letter goes to the client.")})
    sent_on = sent_on or today
    channel = channel or letter.channel
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Pick how you sent it.")})
    if not dates.in_range(sent_on):
        raise ValidationError({"sent_on": dates.OUT_OF_RANGE})
    if sent_on > today:
        raise ValidationError({"sent_on": _("This date is in the future. Record the letter once you have sent it.")})
    if sent_on < today - datetime.timedelta(days=RECORDED_MAX_DAYS_BACK):
        raise ValidationError(
            {"sent_on": _("Record a letter within %(back)s days of sending it.") % {"back": RECORDED_MAX_DAYS_BACK}}
        )
    return sent_on, channel


def letter_finalize(
    *,
    letter: Letter,
    actor: User,
    move_case: bool = False,
    delivery: str = Letter.Delivery.RECORDED,
    sent_on: datetime.date | None = None,
    channel: str | None = None,
    cover_note: str = "",
) -> Letter:
    """Freeze a draft: render its PDF once, fingerprint it, and send it or record its sending.

    Two ways, and the record says which:

    - `Delivery.SETTLE`: Settle e-mails the PDF to the client (`mail_out`).
      The letter is final at once, but it is dated, its deadline starts and
      it goes on the timeline only when the mail server accepts it.
    - `Delivery.RECORDED`: the freelancer sent it (post, the platform, their
      own e-mail) on `sent_on` (today by default, never in the future); the
      PDF carries that date and the deadline runs from it.

    A second call (double click, another tab) finds the letter already final
    and changes nothing. With `move_case`, a case on the reminders rung climbs
    to the formal-letter rung through the ladder; a case already there stays.
    The case row is locked for the whole write, so two drafts finalised at
    the same moment go one after the other: the first climbs, the second
    finds the case on the formal-letter rung. Any refusal is a
    ValidationError with a readable message, raised before anything is
    written; if anything fails after the PDF was stored, the transaction
    rolls back and the file is removed, so no orphan file is left.
    """
    ensure_owner(letter.case, actor)
    _climb_needed(letter.case, move_case)  # refuse early, before the slow PDF rendering
    sent_on, channel = _delivery_checked(
        letter=letter, actor=actor, delivery=delivery, sent_on=sent_on, channel=channel
    )
    by_settle = delivery == Letter.Delivery.SETTLE
    now = timezone.now()
    with timezone.override(actor.time_zone):
        context = letter_context(letter, sent_on=sent_on, user=actor)
        pdf = render_pdf("letters/letter_pdf.html", context)
    deadline = context["deadline"]
    stored_name = ""
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=letter.case_id)
            climb = _climb_needed(case, move_case)
            # The PDF and its fingerprint are written by the same statement that makes the letter
            # final: from then on the database refuses any change to them (db_guard).
            stored_name = letter.pdf.storage.save(letter_upload_to(letter, "letter.pdf"), ContentFile(pdf))
            # A letter Settle e-mails is dated when the mail server accepts it (letter_sent_by_settle).
            sending = {} if by_settle else {
                "sent_on": sent_on,
                "deadline": deadline,
                "deadline_at": deadlines.deadline_passes_at(deadline, actor.time_zone),
            }  # fmt: skip
            claimed = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).update(
                status=Letter.Status.FINAL,
                finalized_at=now,
                delivery=delivery,
                channel=channel,
                **sending,
                updated_at=now,
                pdf=stored_name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
            )
            if claimed != 1:
                raise ValidationError(_("This letter is already final (or was discarded)."))
            letter.refresh_from_db()
            if by_settle:
                mail_queue(
                    case=case,
                    author=actor,
                    subject=letter.subject,
                    body=cover_note.strip() or letter_cover_note(letter, actor),
                    purpose=ClientMail.Purpose.LETTER,
                    letter=letter,
                    now=now,
                )
            else:
                _record_sent(letter, case=case, actor=actor, now=now)
            if climb:
                _climb(letter, case=case, actor=actor)
    except BaseException:
        if stored_name:
            letter.pdf.storage.delete(stored_name)
        raise
    letter.refresh_from_db()
    return letter


def _recorded_as_sent(letter: Letter, case: Case) -> str:
    with on_the_record(case.owner):
        return translation.gettext(
            "Recorded as sent by you (%(channel)s) on %(sent_on)s: %(kind)s “%(subject)s”. "
            "Amount owed %(amount)s, deadline %(deadline)s. PDF SHA-256 %(sha256)s."
        ) % {
            "channel": in_sentence(letter.get_channel_display()), "sent_on": record_date(letter.sent_on, long=True),
            "kind": in_sentence(letter.get_kind_display()), "subject": letter.subject,
            "amount": format_money(letter.amount_owed, letter.currency),
            "deadline": record_date(letter.deadline, long=True), "sha256": letter.sha256,
        }  # fmt: skip


def _record_sent(letter: Letter, *, case: Case, actor: User, now: datetime.datetime) -> None:
    """The timeline entry, superseding and payment check of a letter the freelancer sent themselves."""
    zone = ZoneInfo(actor.time_zone)
    today = timezone.localdate(now, timezone=zone)
    # Sent today: now. Sent on an earlier day: noon of that day where the freelancer is (the day is what is known).
    happened_at = now if letter.sent_on == today else datetime.datetime.combine(letter.sent_on, datetime.time(12), zone)
    entry = entry_append(
        case=case,
        author=actor,
        kind=TimelineEntry.Kind.MESSAGE_OUT,
        channel=letter.channel,
        body=_recorded_as_sent(letter, case),
        happened_at=happened_at,
        fingerprints=(letter.sha256,),
        now=now,
    )
    Letter.objects.filter(pk=letter.pk).update(entry=entry)
    if letter.supersedes_id:
        Letter.objects.filter(pk=letter.supersedes_id, superseded_at__isnull=True).update(superseded_at=now)
    # Payments recorded from the sending day may already cover it.
    letters_sync_payments(case=case, now=now)


def _climb(letter: Letter, *, case: Case, actor: User) -> None:
    """Finalising a letter from the reminders rung moves the case to the formal-letter rung."""
    try:
        case_move(
            case=case,
            actor=actor,
            move=ladder.ESCALATE,
            reason=f"Formal letter finalised: {letter.subject}",
            expected_stage=ladder.REMINDERS,
            expected_status=ladder.OPEN,
        )
    except StaleCase:
        # Cannot happen while the case row is locked; if it does, roll everything back.
        raise ValidationError(_("The case changed while the letter was being finalised; nothing was kept.")) from None
