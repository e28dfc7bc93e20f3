"""Writes for outside deadlines: tickets, deadlines and their moves, the catalogue, the calendar
feed's secret, and the sweep step that warns before a deadline and flags it once it has passed.

The arithmetic (which warning is due, what counts as a bad date) is in `disputes.rules.deadlines`.
Every change a person makes to a ticket or a deadline is also written on the case's timeline,
so the record shows who set which date, and when.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from disputes.languages import on_the_record, record_moment
from disputes.models import CalendarFeed, Case, Deadline, DeadlineTemplate, Ticket, TimelineEntry
from disputes.rules import deadlines as rules
from disputes.rules import ladder
from disputes.services.common import ensure_owner
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append

NOT_ESCALATED = gettext_lazy(
    "Platform tickets and their deadlines belong to a case at platform support, mediation or legal. "
    "Move the case up the ladder first."
)
CLOSED = gettext_lazy("This case is closed: its deadlines can no longer change.")


def _writable(case: Case, actor: User, *, escalated: bool = False) -> None:
    """Refuse a write on a closed case (or, with `escalated`, one below platform support), from the
    stored row, locked until the transaction ends: a page opened before the case moved does not count."""
    ensure_owner(case, actor)
    status, stage = Case.objects.select_for_update().values_list("status", "stage").get(pk=case.pk)
    if status != Case.Status.OPEN:
        raise ValidationError(CLOSED)
    if escalated and stage not in ladder.ESCALATED_STAGES:
        raise ValidationError(NOT_ESCALATED)


def ticket_add(*, case: Case, actor: User, body: str, reference: str = "", url: str = "") -> Ticket:
    """Record the case's ticket with a platform or an outside body (escalated cases only)."""
    now = timezone.now()
    ticket = Ticket(case=case, body=body.strip(), reference=reference.strip(), url=url.strip(),
                    created_by=actor, created_at=now)  # fmt: skip
    ticket.full_clean()
    with transaction.atomic():
        _writable(case, actor, escalated=True)
        ticket.save()
        with on_the_record(case.owner):
            if ticket.reference:
                said = _("Ticket recorded with %(body)s, reference %(reference)s") % {
                    "body": ticket.body,
                    "reference": ticket.reference,
                }
            else:
                said = _("Ticket recorded with %(body)s") % {"body": ticket.body}
        entry_append(case=case, author=actor, kind=TimelineEntry.Kind.OUTSIDE_DEADLINE,
                     body=said + (f" ({ticket.url})" if ticket.url else "") + ".", now=now)  # fmt: skip
    return ticket


def _deadline_set_said(owed_by: str, *, with_ticket: bool) -> str:
    """The sentence for a new deadline, one per party (each language declines "from whom" its own way)."""
    if with_ticket:
        return {
            Deadline.OwedBy.ME: _("Deadline set (%(ticket)s): %(title)s, due from you by %(when)s."),
            Deadline.OwedBy.CLIENT: _("Deadline set (%(ticket)s): %(title)s, due from the client by %(when)s."),
            Deadline.OwedBy.BODY: _("Deadline set (%(ticket)s): %(title)s, due from the platform or body by %(when)s."),
        }[owed_by]
    return {
        Deadline.OwedBy.ME: _("Deadline set: %(title)s, due from you by %(when)s."),
        Deadline.OwedBy.CLIENT: _("Deadline set: %(title)s, due from the client by %(when)s."),
        Deadline.OwedBy.BODY: _("Deadline set: %(title)s, due from the platform or body by %(when)s."),
    }[owed_by]


def deadline_add(
    *, case: Case, actor: User, title: str, due_at: datetime.datetime, owed_by: str, ticket: Ticket | None = None
) -> Deadline:
    """Record an outside deadline on an escalated case, optionally under one of its tickets."""
    if ticket is not None and ticket.case_id != case.pk:
        raise ValidationError({"ticket": _("That ticket belongs to another case.")})
    now = timezone.now()
    if problem := rules.due_problem(due_at, now):
        raise ValidationError({"due_at": problem})
    deadline = Deadline(owner=case.owner, case=case, ticket=ticket, title=title.strip(), owed_by=owed_by,
                        due_at=due_at, created_at=now, updated_at=now)  # fmt: skip
    deadline.full_clean()
    with transaction.atomic():
        _writable(case, actor, escalated=True)
        deadline.save()
        with on_the_record(case.owner):
            said = _deadline_set_said(owed_by, with_ticket=ticket is not None) % {
                "title": deadline.title,
                "when": record_moment(due_at),
                "ticket": ticket,
            }
        entry_append(case=case, author=actor, kind=TimelineEntry.Kind.OUTSIDE_DEADLINE, body=said, now=now)
    return deadline


def deadline_met(*, deadline: Deadline, actor: User) -> Deadline:
    """Mark a deadline as met (done, answered, decided). Once: a second call changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        _writable(deadline.case, actor)
        done = Deadline.objects.filter(pk=deadline.pk, met_at__isnull=True).update(
            met_at=now, updated_at=now, revision=F("revision") + 1
        )
        if done:
            with on_the_record(deadline.case.owner):
                said = _("Deadline met: %(title)s (was due %(when)s).") % {
                    "title": deadline.title,
                    "when": record_moment(deadline.due_at),
                }
            entry_append(case=deadline.case, author=actor, kind=TimelineEntry.Kind.OUTSIDE_DEADLINE, now=now,
                         body=said)  # fmt: skip
    deadline.refresh_from_db()
    return deadline


def deadline_move(*, deadline: Deadline, actor: User, due_at: datetime.datetime, reason: str) -> Deadline:
    """Give an open deadline a new time, with the reason (an extension granted, a typo). Its
    warnings start again for the new time."""
    ensure_owner(deadline.case, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the deadline moves: it goes on the timeline.")})
    now = timezone.now()
    if problem := rules.due_problem(due_at, now):
        raise ValidationError({"due_at": problem})
    with transaction.atomic():
        _writable(deadline.case, actor)
        stored = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if stored.met_at is not None:
            raise ValidationError(_("This deadline is met: it no longer moves."))
        if stored.due_at == due_at:
            return stored
        Deadline.objects.filter(pk=stored.pk).update(
            due_at=due_at, warned_48_at=None, warned_24_at=None, missed_at=None,
            updated_at=now, revision=F("revision") + 1,
        )  # fmt: skip
        with on_the_record(deadline.case.owner):
            said = _("Deadline moved: %(title)s, from %(before)s to %(after)s. Why: %(reason)s") % {
                "title": stored.title, "before": record_moment(stored.due_at), "after": record_moment(due_at),
                "reason": reason,
            }  # fmt: skip
        entry_append(case=deadline.case, author=actor, kind=TimelineEntry.Kind.OUTSIDE_DEADLINE, now=now, body=said)
    stored.refresh_from_db()
    return stored


def template_add(*, owner: User, title: str, days: int, owed_by: str, note: str = "") -> DeadlineTemplate:
    template = DeadlineTemplate(owner=owner, title=title.strip(), days=days, owed_by=owed_by, note=note.strip())
    template.full_clean()
    if not 1 <= days <= 3 * 365:
        raise ValidationError({"days": _("Between 1 day and three years.")})
    template.save()
    return template


def template_delete(*, template: DeadlineTemplate, owner: User) -> None:
    """Delete one of the user's own catalogue entries (the shared ones stay)."""
    if template.owner_id != owner.pk:
        raise ValidationError(_("Only your own catalogue entries can be deleted."))
    template.delete()


# --- The calendar feed's secret ------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_issue(*, user: User) -> str:
    """A new secret for the user's calendar address, replacing any earlier one (which stops
    working at once). Returns the secret: it is shown once and kept only as a hash."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_sha256": feed_token_hash(token), "created_at": timezone.now(), "last_read_at": None}
    )
    return token


def feed_revoke(*, user: User) -> bool:
    """Stop the user's calendar address. True if there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_user(token: str, *, touch: bool = True) -> User | None:
    """The user a calendar secret belongs to, or None (unknown, replaced or revoked). `touch`
    records the read (at most once an hour)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_sha256=feed_token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    # At most one write an hour per feed: calendars poll often.
    if touch and (feed.last_read_at is None or now - feed.last_read_at > datetime.timedelta(hours=1)):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    return feed.user


# --- The sweep step ------------------------------------------------------------------------------

SUBJECTS = {
    rules.WARN_48: "Settle: an outside deadline is 48 hours away",
    rules.WARN_24: "Settle: an outside deadline is 24 hours away",
    rules.MISSED: "Settle: an outside deadline has passed",
}
COLUMNS = {rules.WARN_48: "warned_48_at", rules.WARN_24: "warned_24_at", rules.MISSED: "missed_at"}


def deadlines_warn(*, now: datetime.datetime) -> dict[str, int]:
    """The sweep's deadline step: for each open deadline inside its warning window, the one notice
    it needs now (rules.warning_due), won by a conditional UPDATE so only one sweep sends it, and
    queued as due at `now` under a key naming the deadline, the notice and the due time: a
    second sweep, or one that runs at the same moment, queues nothing more."""
    counts = dict.fromkeys(COLUMNS, 0)
    candidates = (
        Deadline.objects.filter(
            met_at__isnull=True, missed_at__isnull=True, due_at__lte=now + rules.WARNING_LEADS[rules.WARN_48]
        )
        .filter(case__status=Case.Status.OPEN)
        .select_related("owner", "case", "ticket")
        .order_by("due_at", "id")
    )
    for deadline in candidates:
        notice = rules.warning_due(
            deadline.due_at,
            now,
            warned_48=deadline.warned_48_at is not None,
            warned_24=deadline.warned_24_at is not None,
            missed=deadline.missed_at is not None,
        )
        if notice is None:
            continue
        column = COLUMNS[notice]
        with transaction.atomic():
            won = Deadline.objects.filter(
                pk=deadline.pk, due_at=deadline.due_at, met_at__isnull=True, **{f"{column}__isnull": True}
            ).update(**{column: now})
            if won != 1:
                continue
            owner = deadline.owner
            notification_queue(
                key=f"deadline:{deadline.pk}:{notice}:{int(deadline.due_at.timestamp())}",
                user=owner,
                template="disputes/email/deadline_warning",
                context={
                    "owner": owner,
                    "deadline": deadline,
                    "case": deadline.case,
                    "notice": notice,
                    "left": deadline.due_at - now,
                    "url": settings.SITE_URL + reverse("disputes:case_deadlines", args=[deadline.case_id]),
                },
                subject=SUBJECTS[notice],
                now=now,
            )
            counts[notice] += 1
    return counts
