"""Adding to a case's timeline. Entries are never changed or deleted."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from disputes.models import Case, TimelineEntry
from disputes.services.common import ensure_owner
from disputes.services.concerns import concerns_sync
from disputes.services.letters import letters_sync_payments

# A little tolerance for a clock on the user's device that runs ahead.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def _validate(*, kind: str, channel: str, body: str, amount: Decimal | None, happened_at: datetime.datetime) -> None:
    errors: dict[str, str] = {}
    if kind not in TimelineEntry.MANUAL_KINDS:
        errors["kind"] = "This kind of entry is written by Settle itself."
    if kind in TimelineEntry.CHANNEL_KINDS and not channel:
        errors["channel"] = "Say through which channel this happened."
    if kind == TimelineEntry.Kind.PAYMENT:
        if amount is None or amount <= 0:
            errors["amount"] = "Enter the amount received."
    elif amount is not None:
        errors["amount"] = "Only a payment has an amount."
    if kind != TimelineEntry.Kind.PAYMENT and not body.strip():
        errors["body"] = "Write what was said or done."
    if happened_at > timezone.now() + FUTURE_TOLERANCE:
        errors["happened_at"] = "This time is in the future."
    if errors:
        raise ValidationError(errors)


def entry_add(
    *,
    case: Case,
    author: User,
    kind: str,
    body: str,
    channel: str = "",
    happened_at: datetime.datetime | None = None,
    amount: Decimal | None = None,
) -> TimelineEntry:
    """Append an entry written by the user. `happened_at` defaults to now."""
    ensure_owner(case, author)
    now = timezone.now()
    happened_at = happened_at or now
    _validate(kind=kind, channel=channel, body=body, amount=amount, happened_at=happened_at)
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            case=case,
            kind=kind,
            channel=channel if kind in TimelineEntry.CHANNEL_KINDS else "",
            body=body.strip(),
            amount=amount,
            happened_at=happened_at,
            recorded_at=now,
            author=author,
        )
        # A message changes the response clock; the flag clears (or starts) at once.
        if kind in TimelineEntry.CLOCK_KINDS:
            concerns_sync(case=case)
        # A payment may settle a formal letter before its deadline.
        if kind == TimelineEntry.Kind.PAYMENT:
            letters_sync_payments(case=case)
    return entry


def entry_correct(
    *,
    original: TimelineEntry,
    author: User,
    body: str,
    channel: str = "",
    happened_at: datetime.datetime | None = None,
    amount: Decimal | None = None,
) -> TimelineEntry:
    """Append a correction of `original`; the original stays, marked as corrected.

    One entry has at most one correction (a database constraint); to correct
    again, correct the correction. Entries written by Settle (stage changes,
    evidence) cannot be corrected.
    """
    ensure_owner(original.case, author)
    if original.kind not in TimelineEntry.MANUAL_KINDS:
        raise ValidationError("Entries written by Settle itself cannot be corrected.")
    now = timezone.now()
    happened_at = happened_at or original.happened_at
    _validate(kind=original.kind, channel=channel, body=body, amount=amount, happened_at=happened_at)
    try:
        with transaction.atomic():
            correction = TimelineEntry.objects.create(
                case_id=original.case_id,
                kind=original.kind,
                channel=channel if original.kind in TimelineEntry.CHANNEL_KINDS else "",
                body=body.strip(),
                amount=amount,
                happened_at=happened_at,
                recorded_at=now,
                author=author,
                corrects=original,
            )
            if original.kind in TimelineEntry.CLOCK_KINDS:
                concerns_sync(case=original.case)
            if original.kind == TimelineEntry.Kind.PAYMENT:
                letters_sync_payments(case=original.case)
    except IntegrityError:
        raise ValidationError("This entry has already been corrected. Correct the correction instead.") from None
    return correction
