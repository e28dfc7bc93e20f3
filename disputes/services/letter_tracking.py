"""Tracking a sent letter's deadline: paid in full, or passed unpaid.

Two steps, neither of which writes to the timeline (so this module sits
below `services.timeline`, which calls `letters_sync_payments` after every
payment entry): recomputing whether payments cover each tracked letter, and
the sweep's step that flags passed deadlines once and queues one e-mail.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.formatting import format_money
from disputes.models import Case, Letter, TimelineEntry
from disputes.rules import deadlines
from disputes.services.notifications import notification_queue


def letters_sync_payments(*, case: Case, now: datetime.datetime | None = None) -> int:
    """Recompute "paid" for every tracked letter of the case; return how many changed.

    A letter counts as paid once the payments recorded from the day it was
    sent (in the freelancer's zone, corrections applied) cover its amount.
    It works both ways: a payment corrected downwards makes a letter unpaid
    again, and the next sweep flags its deadline if that has passed.
    """
    now = now or timezone.now()
    tracked = list(
        Letter.objects.filter(case=case, status=Letter.Status.FINAL, superseded_at__isnull=True).select_related(
            "case__owner"
        )
    )
    if not tracked:
        return 0
    corrected = TimelineEntry.objects.filter(case=case, corrects__isnull=False).values("corrects_id")
    payments = TimelineEntry.objects.filter(case=case, kind=TimelineEntry.Kind.PAYMENT).exclude(pk__in=corrected)
    changed = 0
    for letter in tracked:
        if letter.sent_on is None:  # finalised, waiting to be sent by Settle: nothing runs yet
            continue
        since = datetime.datetime.combine(letter.sent_on, datetime.time(0), tzinfo=ZoneInfo(case.owner.time_zone))
        paid = payments.filter(happened_at__gte=since).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if paid >= letter.amount_owed:
            changed += Letter.objects.filter(pk=letter.pk, paid_at__isnull=True).update(paid_at=now)
        else:
            changed += Letter.objects.filter(pk=letter.pk, paid_at__isnull=False).update(paid_at=None)
    return changed


@dataclass(frozen=True)
class LettersStep:
    flagged: int


def letters_flag_due(*, now: datetime.datetime) -> LettersStep:
    """The sweep's letter step: flag deadlines that passed unpaid, once each, and queue one e-mail.

    The e-mail is queued as due at `now` (the sweep's own time), so the
    outbox step of the same sweep sends it.
    """
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
            # Only the sweep that sets the flag queues anything.
            won = Letter.objects.filter(pk=letter.pk, deadline_flagged_at__isnull=True).update(deadline_flagged_at=now)
            if won != 1:
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
                subject=_("Settle: a letter's deadline passed without payment"),
                now=now,
            )
            flagged += 1
    return LettersStep(flagged=flagged)


def letter_sent_by_settle(*, letter: Letter, sent_at: datetime.datetime, entry: TimelineEntry) -> None:
    """A final letter Settle e-mailed was accepted by the mail server: its date and deadline run from now.

    Written once (the database refuses a second change of these columns). The
    letter it supersedes stops being tracked, and payments already recorded
    from that day may cover it.
    """
    zone = letter.case.owner.time_zone
    sent_on = timezone.localdate(sent_at, timezone=ZoneInfo(zone))
    deadline = deadlines.letter_deadline(sent_on, settings.LETTER_DEADLINE_DAYS)
    Letter.objects.filter(pk=letter.pk, sent_on__isnull=True).update(
        sent_on=sent_on,
        sent_at=sent_at,
        deadline=deadline,
        deadline_at=deadlines.deadline_passes_at(deadline, zone),
        entry=entry,
    )
    if letter.supersedes_id:
        Letter.objects.filter(pk=letter.supersedes_id, superseded_at__isnull=True).update(superseded_at=sent_at)
    letters_sync_payments(case=letter.case, now=sent_at)
