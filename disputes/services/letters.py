"""Formal letters: drafting from the case's facts, finalising to a frozen PDF, tracking the deadline.

The freelancer edits plain text only; Settle's own HTML template lays it out
(escaped) for the preview and the PDF. Finalising renders the PDF once,
stores it with its SHA-256, and records it on the timeline as an outgoing
message; from then on the letter never changes. The deadline is the date
sent plus LETTER_DEADLINE_DAYS; the sweep flags it once when it passes with
no payment in full recorded, and e-mails the freelancer once.
"""

import datetime
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from disputes import ladder
from disputes.models import Case, Letter, Milestone, TimelineEntry
from disputes.services.common import apply_fields, ensure_owner
from disputes.services.notifications import notification_queue

LETTER_FIELDS = ("subject", "body", "amount_owed", "currency", "payment_instructions", "channel", "legal_action_date")
# Currencies written without minor units (ISO 4217 exponent 0).
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "UGX", "PYG", "RWF"}


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as it should read in a letter: "1,234.50 USD", "120,000 JPY"."""
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return f"{amount:,.{places}f} {currency}"


def unpaid_milestones(case: Case) -> list[Milestone]:
    return list(case.project.milestones.filter(paid_on__isnull=True).order_by("due_date", "id"))


def letter_defaults(*, case: Case, kind: str) -> dict[str, Any]:
    """Prefilled values for a new letter, taken from the case's facts."""
    agreement = case.project.agreements.order_by("-version").first()
    unpaid = unpaid_milestones(case)
    owed = sum((m.amount for m in unpaid), Decimal("0")) or case.amount_in_dispute
    client = case.client.name
    days = settings.LETTER_DEADLINE_DAYS
    if kind == Letter.Kind.FINAL_NOTICE:
        subject = f"Final notice before legal action: {case.project.title}"
        body = (
            f"Dear {client},\n\n"
            f"Despite my earlier payment demand, the amount below for “{case.project.title}” is still unpaid.\n\n"
            "This is my final notice. Unless the full amount reaches me by the date shown below, "
            "I will start legal action to recover it, together with any costs the law allows, "
            "without further warning.\n\n"
            "I would still prefer to settle this between us. Payment by that date closes the matter.\n\n"
            "Yours sincerely,"
        )
    else:
        subject = f"Payment demand: {case.project.title}"
        body = (
            f"Dear {client},\n\n"
            f"I completed the work we agreed for “{case.project.title}”. The payments listed below are overdue "
            "and, despite my reminders, remain unpaid.\n\n"
            f"Please pay the total amount within {days} days, by the date shown below, "
            "using the payment details in this letter.\n\n"
            "If the payment has not reached me by then, I will take the next step without further notice: "
            "a claim with the platform's support team or other formal action.\n\n"
            "Yours sincerely,"
        )
    return {
        "agreement": agreement,
        "subject": subject,
        "body": body,
        "amount_owed": owed,
        "currency": case.currency,
        "payment_instructions": "Bank transfer or the platform's payment system, quoting the project's name.",
        "channel": "email",
        "legal_action_date": timezone.localdate() + datetime.timedelta(days=days) if kind == "final_notice" else None,
    }


def _validate(kind: str, data: Mapping[str, Any]) -> None:
    errors = {}
    if kind == Letter.Kind.FINAL_NOTICE and not data.get("legal_action_date"):
        errors["legal_action_date"] = "A final notice names the date legal action follows."
    if kind != Letter.Kind.FINAL_NOTICE and data.get("legal_action_date"):
        errors["legal_action_date"] = "Only a final notice names a date for legal action."
    if data.get("amount_owed") is not None and data["amount_owed"] <= 0:
        errors["amount_owed"] = "Enter the amount owed."
    if errors:
        raise ValidationError(errors)


def letter_draft(
    *, case: Case, author: User, kind: str, data: Mapping[str, Any], supersedes: Letter | None = None
) -> Letter:
    """Write a new draft. `supersedes` is the final letter it will replace once finalised."""
    ensure_owner(case, author)
    if kind not in Letter.Kind.values:
        raise ValidationError("Unknown kind of letter.")
    if supersedes is not None and (supersedes.case_id != case.pk or not supersedes.is_final):
        raise ValidationError("Only a final letter of this case can be superseded.")
    data = dict(data)
    agreement = data.pop("agreement", None)
    if agreement is not None and agreement.project_id != case.project_id:
        raise ValidationError({"agreement": "That agreement belongs to another project."})
    _validate(kind, data)
    now = timezone.now()
    letter = Letter(
        case=case,
        kind=kind,
        agreement=agreement,
        supersedes=supersedes,
        created_by=author,
        created_at=now,
        updated_at=now,
    )
    apply_fields(letter, data, LETTER_FIELDS)
    letter.full_clean()
    letter.save()
    return letter


def letter_update(*, letter: Letter, author: User, data: Mapping[str, Any]) -> Letter:
    """Change a draft. A final letter is frozen."""
    ensure_owner(letter.case, author)
    data = dict(data)
    agreement = data.pop("agreement", letter.agreement)
    if agreement is not None and agreement.project_id != letter.case.project_id:
        raise ValidationError({"agreement": "That agreement belongs to another project."})
    _validate(letter.kind, data)
    apply_fields(letter, data, LETTER_FIELDS)
    letter.agreement = agreement
    letter.full_clean()
    changed = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).update(
        agreement=agreement, updated_at=timezone.now(), **{name: getattr(letter, name) for name in data}
    )
    if changed != 1:
        raise ValidationError("This letter is final and cannot be changed. Write a new letter to supersede it.")
    letter.refresh_from_db()
    return letter


def letter_context(letter: Letter, *, sent_on: datetime.date, user: User) -> dict[str, Any]:
    """Everything the letter template shows: the same for the preview and the PDF."""
    case = letter.case
    deadline = ladder.letter_deadline(sent_on, settings.LETTER_DEADLINE_DAYS)
    milestones = unpaid_milestones(case)
    return {
        "letter": letter,
        "case": case,
        "freelancer": user,
        "client": case.client,
        "project": case.project,
        "agreement": letter.agreement,
        "milestones": [(m, format_money(m.amount, letter.currency)) for m in milestones],
        "total": format_money(letter.amount_owed, letter.currency),
        "sent_on": sent_on,
        "deadline": deadline,
        "deadline_days": settings.LETTER_DEADLINE_DAYS,
        "paragraphs": [p.strip() for p in letter.body.replace("\r\n", "\n").split("\n\n") if p.strip()],
    }


def _refuse_fetch(url: str, *args, **kwargs):
    # Letters are self-contained: no image, font or stylesheet is ever fetched.
    raise ValueError(f"Letters load no external resources ({url!r}).")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    import weasyprint

    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def letter_finalize(*, letter: Letter, actor: User, move_case: bool = False) -> Letter:
    """Freeze a draft: render its PDF once, fingerprint it, put it on the timeline as sent.

    A second call (double click, another tab) finds the letter already final and
    changes nothing. With `move_case`, a case on the reminders rung climbs to
    the formal-letter rung through the ladder; from lower rungs the ladder refuses.
    If anything fails after the PDF was stored, the transaction rolls back and
    the file is removed, so no orphan file is left.
    """
    ensure_owner(letter.case, actor)
    case = letter.case
    if move_case and case.stage != ladder.FORMAL_LETTER:
        if ladder.stage_index(case.stage) > ladder.stage_index(ladder.FORMAL_LETTER):
            raise ValidationError("The case is already past the formal-letter rung.")
        if case.stage != ladder.REMINDERS:
            raise ValidationError(
                "The ladder moves one rung at a time: move the case to reminders first, "
                "or send the letter without moving the case."
            )
    now = timezone.now()
    with timezone.override(actor.time_zone):
        sent_on = timezone.localdate(now)
        context = letter_context(letter, sent_on=sent_on, user=actor)
        pdf = render_pdf("letters/letter_pdf.html", context)
    deadline = context["deadline"]
    stored_name = ""
    try:
        with transaction.atomic():
            claimed = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT).update(
                status=Letter.Status.FINAL,
                finalized_at=now,
                sent_on=sent_on,
                deadline=deadline,
                deadline_at=ladder.deadline_passes_at(deadline, actor.time_zone),
                updated_at=now,
            )
            if claimed != 1:
                raise ValidationError("This letter is already final.")
            letter.refresh_from_db()
            letter.pdf.save("letter.pdf", ContentFile(pdf), save=False)
            stored_name = letter.pdf.name
            _record_sent(letter, actor=actor, pdf=pdf, now=now, move_case=move_case)
    except BaseException:
        if stored_name:
            letter.pdf.storage.delete(stored_name)
        raise
    letter.refresh_from_db()
    return letter


def _record_sent(letter: Letter, *, actor: User, pdf: bytes, now: datetime.datetime, move_case: bool) -> None:
    """The timeline entry, fingerprint, superseding and ladder move of a letter being finalised."""
    # Imported here: both modules import this one.
    from disputes.services.cases import case_move
    from disputes.services.timeline import entry_add

    case = letter.case
    sha256 = hashlib.sha256(pdf).hexdigest()
    entry = entry_add(
        case=case,
        author=actor,
        kind=TimelineEntry.Kind.MESSAGE_OUT,
        channel=letter.channel,
        body=f"Sent {letter.get_kind_display().lower()}: {letter.subject}. "
        f"Amount owed {format_money(letter.amount_owed, letter.currency)}, "
        f"deadline {letter.deadline:%d %B %Y}. PDF SHA-256 {sha256}.",
        happened_at=now,
    )
    Letter.objects.filter(pk=letter.pk).update(pdf=letter.pdf.name, sha256=sha256, size=len(pdf), entry=entry)
    if letter.supersedes_id:
        Letter.objects.filter(pk=letter.supersedes_id, superseded_at__isnull=True).update(superseded_at=now)
    if move_case and case.stage == ladder.REMINDERS:
        case_move(case=case, actor=actor, move=ladder.ESCALATE, reason=f"Formal letter sent: {letter.subject}")


def letters_sync_payments(*, case: Case) -> int:
    """Mark tracked letters as paid once payments recorded since they were sent cover them."""
    tracked = list(
        Letter.objects.filter(case=case, status=Letter.Status.FINAL, paid_at__isnull=True, superseded_at__isnull=True)
    )
    if not tracked:
        return 0
    corrected = TimelineEntry.objects.filter(case=case, corrects__isnull=False).values("corrects_id")
    payments = TimelineEntry.objects.filter(case=case, kind=TimelineEntry.Kind.PAYMENT).exclude(pk__in=corrected)
    cleared = 0
    for letter in tracked:
        # Payments that happened from the day the letter was sent, in the freelancer's zone.
        since = datetime.datetime.combine(letter.sent_on, datetime.time(0), tzinfo=ZoneInfo(case.owner.time_zone))
        paid = payments.filter(happened_at__gte=since).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if paid >= letter.amount_owed:
            cleared += Letter.objects.filter(pk=letter.pk, paid_at__isnull=True).update(paid_at=timezone.now())
    return cleared


def letters_flag_due(*, now: datetime.datetime) -> int:
    """Flag letters whose deadline passed unpaid, once each, and e-mail the freelancer once."""
    due = Letter.objects.filter(
        status=Letter.Status.FINAL,
        paid_at__isnull=True,
        superseded_at__isnull=True,
        deadline_flagged_at__isnull=True,
        deadline_at__lte=now,
        case__status=Case.Status.OPEN,
    ).select_related("case__owner", "case__client")
    flagged = 0
    for letter in due:
        with transaction.atomic():
            # Only the sweep that sets the flag sends anything.
            if (
                Letter.objects.filter(pk=letter.pk, deadline_flagged_at__isnull=True).update(deadline_flagged_at=now)
                != 1
            ):
                continue
            case = letter.case
            notification_queue(
                key=f"letter-deadline:{letter.pk}",
                user=case.owner,
                template="disputes/email/letter_deadline",
                context={
                    "letter": letter,
                    "case": case,
                    "amount": format_money(letter.amount_owed, letter.currency),
                    "url": f"{settings.SITE_URL}{case.get_absolute_url()}",
                },
                subject="Settle: a letter's deadline passed without payment",
            )
            flagged += 1
    return flagged
