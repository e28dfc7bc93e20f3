"""The timeline's one door: every entry on every case is written by `entry_append`.

Entries are never changed or deleted. `entry_append` is the only function in
Settle that creates a `TimelineEntry` (a test reads the source to keep it
so); every other service that puts something on the record (a ladder move,
an evidence upload, a letter, a staff decision, a mediator's note) calls it.
It also makes each entry the next link of its case's hash chain
(`rules.chain`): the case row is locked, its head read, the entry written
with sequence n+1 and its fingerprints, and the head moved, all in one
transaction, so concurrent writers queue up and the chain never forks (a
unique constraint on (case, sequence) backs this up).
What must follow a new entry runs from one explicit step, `_after_append`:

- a move onto platform support, mediation or legal seals the record: the
  chain head is signed with the installation's key (`signing`) and a seal
  entry, itself the next link, is appended (`rules.ladder.seals_record`);
- an entry the response clock reads (a message, "no answer needed", a change
  of status) re-syncs the case's concerns and its deadline;
- a payment recomputes whether the case's sent letters are paid.

The user-facing services below (`entry_add`, `entry_correct`,
`concern_dismiss`) check what a person may write by hand, then call the door.
"""

import base64
import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes import signing, timestamps
from disputes.languages import in_sentence, on_the_record
from disputes.models import Case, ClientMail, Seal, TimelineEntry
from disputes.queue import enqueue_after_commit
from disputes.rules import chain, dates, ladder
from disputes.services.clock import concerns_sync
from disputes.services.common import ensure_owner
from disputes.services.letter_tracking import letters_sync_payments

logger = logging.getLogger(__name__)

# A little tolerance for a clock on the user's device that runs ahead.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class StageChange:
    """The ladder move a stage-change entry records."""

    move: str
    to_stage: str
    to_status: str
    from_stage: str = ""
    from_status: str = ""
    ground: str = ""

    @property
    def changes_status(self) -> bool:
        return self.from_status != self.to_status


def entry_append(
    *,
    case: Case,
    author: User,
    kind: str,
    body: str = "",
    happened_at: datetime.datetime | None = None,
    channel: str = "",
    amount: Decimal | None = None,
    corrects: TimelineEntry | None = None,
    about: TimelineEntry | None = None,
    stage_change: StageChange | None = None,
    fingerprints: tuple[str, ...] = (),
    shared: bool = True,
    now: datetime.datetime | None = None,
    sync_clock: bool = True,
) -> TimelineEntry:
    """Append one entry to a case's timeline, then run what follows a new entry.

    Callers have checked that `author` may write on this case. `happened_at`
    defaults to now; `recorded_at` is always now. `fingerprints` are the
    SHA-256 of files the entry carries; `shared` false keeps it to the owner.
    `sync_clock` false is for a batch (an import) that re-syncs the response
    clock itself once, after its last entry, in the same transaction.
    """
    if kind not in TimelineEntry.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of entry.")})
    if (kind == TimelineEntry.Kind.STAGE_CHANGE) != (stage_change is not None):
        raise ValueError("A stage-change entry, and only one, records its ladder move.")
    now = now or timezone.now()
    happened_at = happened_at or now
    if not dates.in_range(happened_at):
        raise ValidationError({"happened_at": dates.OUT_OF_RANGE})
    move = stage_change or StageChange(move="", to_stage="", to_status="")
    with transaction.atomic():
        length, head = Case.objects.select_for_update().values_list("chain_length", "chain_head").get(pk=case.pk)
        entry = TimelineEntry(
            case=case,
            sequence=length + 1,
            salt=secrets.token_hex(16),
            previous_sha256=head,
            fingerprints=",".join(fingerprints),
            shared=shared,
            kind=kind,
            channel=channel if kind in TimelineEntry.CHANNEL_KINDS else "",
            body=body.strip(),
            amount=amount,
            happened_at=happened_at,
            recorded_at=now,
            author=author,
            corrects=corrects,
            about=about,
            move=move.move,
            from_stage=move.from_stage,
            to_stage=move.to_stage,
            from_status=move.from_status,
            to_status=move.to_status,
            ground=move.ground,
        )
        # Entries pointed at (a correction's original, a message marked "no answer needed") are
        # named by their sequence, which a reader of the case file can follow.
        known = {other.pk: other.sequence for other in (corrects, about) if other is not None}
        entry.content_sha256 = chain.content_hash(
            chain.entry_fields(entry, sequence_of=lambda pk: None if pk is None else known[pk])
        )
        entry.entry_sha256 = chain.link_hash(head, entry.content_sha256)
        entry.save()
        Case.objects.filter(pk=case.pk).update(
            chain_length=entry.sequence, chain_head=entry.entry_sha256, last_entry_at=entry.recorded_at
        )
        case.chain_length, case.chain_head = entry.sequence, entry.entry_sha256
        _after_append(entry, case, sync_clock=sync_clock)
    return entry


def _after_append(entry: TimelineEntry, case: Case, *, sync_clock: bool = True) -> None:
    """Everything a new entry sets off, in one place (see the module docstring)."""
    status_changed = entry.kind == TimelineEntry.Kind.STAGE_CHANGE and entry.from_status != entry.to_status
    if entry.kind == TimelineEntry.Kind.STAGE_CHANGE and ladder.seals_record(entry.from_stage, entry.to_stage):
        _seal(entry, case)
    if (entry.kind in TimelineEntry.CLOCK_KINDS and sync_clock) or status_changed:
        concerns_sync(case=case)
    if entry.kind == TimelineEntry.Kind.PAYMENT:
        letters_sync_payments(case=case)


def _seal_said(sealed: TimelineEntry, case: Case, fingerprint: str, signature: str) -> str:
    with on_the_record(case.owner):
        return gettext(
            "Record sealed on reaching %(stage)s: entries 1 to %(sequence)s, chain head %(head)s. Signed by this "
            "Settle installation (Ed25519 key %(key)s); signature %(signature)s"
        ) % {
            "stage": in_sentence(Case.Stage(sealed.to_stage).label), "sequence": sealed.sequence,
            "head": sealed.entry_sha256, "key": fingerprint[:16], "signature": signature,
        }  # fmt: skip


def _seal(sealed: TimelineEntry, case: Case) -> Seal | None:
    """Sign the chain head as it stands after `sealed`, and put the seal on the timeline.

    A signing key that cannot be used does not stop the move: the case goes
    up the ladder unsealed and the error is logged for the operator.
    """
    try:
        key = signing.current_key()
    except (signing.SigningKeyError, OSError):
        logger.exception("Case %s reached %s but could not be sealed", case.pk, sealed.to_stage)
        return None
    now = timezone.now()
    fingerprint = key.public.fingerprint
    statement = chain.seal_statement(
        case=case.pk, sequence=sealed.sequence, head=sealed.entry_sha256, sealed_at=now, key=fingerprint
    )
    signature = base64.b64encode(key.sign(statement)).decode()
    entry = entry_append(
        case=case,
        author=sealed.author,
        kind=TimelineEntry.Kind.SEAL,
        body=_seal_said(sealed, case, fingerprint, signature),
        now=now,
    )
    seal = Seal.objects.create(
        case=case,
        entry=entry,
        sequence=sealed.sequence,
        head=sealed.entry_sha256,
        sealed_at=now,
        statement=statement.decode(),
        signature=signature,
        key_fingerprint=fingerprint,
    )
    if timestamps.enabled():
        enqueue_after_commit("disputes.tasks.seal_timestamp", seal.pk)
    return seal


# --- What a person writes by hand -------------------------------------------------------
def _validate(*, kind: str, channel: str, body: str, amount: Decimal | None, happened_at: datetime.datetime) -> None:
    errors: dict[str, str] = {}
    if kind not in TimelineEntry.MANUAL_KINDS:
        errors["kind"] = _("This kind of entry is written by Settle itself.")
    if kind in TimelineEntry.CHANNEL_KINDS and not channel:
        errors["channel"] = _("Say through which channel this happened.")
    if kind == TimelineEntry.Kind.PAYMENT:
        if amount is None or amount <= 0:
            errors["amount"] = _("Enter the amount received.")
    elif amount is not None:
        errors["amount"] = _("Only a payment has an amount.")
    if kind != TimelineEntry.Kind.PAYMENT and not body.strip():
        errors["body"] = _("Write what was said or done.")
    if not dates.in_range(happened_at):
        errors["happened_at"] = dates.OUT_OF_RANGE
    elif happened_at > timezone.now() + FUTURE_TOLERANCE:
        errors["happened_at"] = _("This time is in the future.")
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
    shared: bool | None = None,
) -> TimelineEntry:
    """Append an entry written by the user. `happened_at` defaults to now.

    A note is the freelancer's own and private unless `shared`; everything
    else (what was said to or by the client, a payment) is part of the
    shared record.
    """
    ensure_owner(case, author)
    happened_at = happened_at or timezone.now()
    _validate(kind=kind, channel=channel, body=body, amount=amount, happened_at=happened_at)
    is_note = kind == TimelineEntry.Kind.NOTE
    if shared is None:
        shared = not is_note
    if not shared and not is_note:
        raise ValidationError(
            {"shared": "Only your own notes can be private: messages, calls and payments are on the shared record."}
        )
    return entry_append(
        case=case,
        author=author,
        kind=kind,
        body=body,
        channel=channel,
        happened_at=happened_at,
        amount=amount,
        shared=shared,
    )


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

    The correction is private or shared as the original was.

    One entry has at most one correction (a database constraint, which is
    also what a lost race between two corrections runs into); to correct
    again, correct the correction. Entries written by Settle (stage changes,
    evidence) cannot be corrected.
    """
    ensure_owner(original.case, author)
    if original.kind not in TimelineEntry.MANUAL_KINDS:
        raise ValidationError(_("Entries written by Settle itself cannot be corrected."))
    if ClientMail.objects.filter(entry_id=original.pk).exists():
        raise ValidationError(
            "This is an e-mail Settle sent: the entry is what went out, so it cannot be corrected. Add a note instead."
        )
    happened_at = happened_at or original.happened_at
    _validate(kind=original.kind, channel=channel, body=body, amount=amount, happened_at=happened_at)
    try:
        with transaction.atomic():
            return entry_append(
                case=original.case,
                author=author,
                kind=original.kind,
                body=body,
                channel=channel,
                happened_at=happened_at,
                amount=amount,
                corrects=original,
                shared=original.shared,
            )
    except IntegrityError:
        raise ValidationError(_("This entry has already been corrected. Correct the correction instead.")) from None


def concern_dismiss(*, message: TimelineEntry, author: User, reason: str) -> TimelineEntry:
    """Mark an incoming message as needing no answer, with the reason on the timeline."""
    ensure_owner(message.case, author)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this message needs no answer.")})
    if message.kind != TimelineEntry.Kind.MESSAGE_IN or message.corrects_id:
        raise ValidationError(_("Only a client's message can be marked as needing no answer."))
    try:
        with transaction.atomic():
            return entry_append(
                case=message.case,
                author=author,
                kind=TimelineEntry.Kind.NO_ANSWER_NEEDED,
                body=reason,
                about=message,
            )
    except IntegrityError:
        raise ValidationError(_("This message is already marked as needing no answer.")) from None
