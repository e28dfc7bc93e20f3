"""Projects, their payment milestones and their versioned scope agreements.

A project has one currency: its milestones, cases, letters and payments are
all in it. Once a payment plan or a case exists, changing it would relabel
amounts already written down, so the currency is then fixed.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.formatting import format_money
from disputes.languages import on_the_record
from disputes.models import Case, Client, Milestone, Project, ScopeAgreement
from disputes.rules import dates
from disputes.services.common import apply_fields, changed_fields, ensure_owner, stored_for_update
from disputes.services.history import changes_record
from disputes.services.notifications import notification_queue
from disputes.services.timeline import entry_append

PROJECT_FIELDS = (
    "title",
    "description",
    "work_kind",
    "start_date",
    "due_date",
    "price",
    "currency",
    "prepayment_percent",
    "status",
)
AGREEMENT_FIELDS = (*ScopeAgreement.TERMS, "change_note")


def _check_dates(values: Mapping[str, Any], names: tuple[str, ...]) -> None:
    errors = {name: dates.OUT_OF_RANGE for name in names if values.get(name) and not dates.in_range(values[name])}
    if errors:
        raise ValidationError(errors)


def project_create(*, owner: User, client: Client, data: Mapping[str, Any]) -> Project:
    ensure_owner(client, owner)
    _check_dates(data, ("start_date", "due_date"))
    project = Project(owner=owner, client=client)
    apply_fields(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    return project


def project_update(*, project: Project, actor: User, data: Mapping[str, Any]) -> Project:
    """Change a project's details, compared with (and written to) the stored row."""
    ensure_owner(project, actor)
    _check_dates(data, ("start_date", "due_date"))
    with transaction.atomic():
        stored = stored_for_update(project)
        changed = changed_fields(stored, data)
        if "currency" in changed and (stored.milestones.exists() or stored.cases.exists()):
            raise ValidationError(
                {
                    "currency": (
                        _(
                            "This project already has a payment plan or cases in %(currency)s, so its currency "
                            "cannot change."
                        )
                        % {"currency": stored.currency}
                    )
                }
            )
        before = {name: getattr(stored, name) for name in changed}
        apply_fields(stored, data, PROJECT_FIELDS)
        stored.full_clean()
        if changed:
            stored.save(update_fields=[*changed, "updated_at"])
            changes_record(record=stored, before=before, actor=actor)
    return stored


def milestone_add(
    *, project: Project, actor: User, title: str, amount: Decimal, due_date: datetime.date | None = None
) -> Milestone:
    """Add a payment to the project's plan, in the project's currency."""
    ensure_owner(project, actor)
    _check_dates({"due_date": due_date}, ("due_date",))
    with transaction.atomic():
        # Locked like `project_update` locks it, so a currency change and a new milestone go one after the other.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        milestone = Milestone(project=project, title=title, amount=amount, due_date=due_date)
        milestone.full_clean()
        milestone.save()
    return milestone


def milestone_mark_paid(*, milestone: Milestone, actor: User, paid_on: datetime.date | None) -> Milestone:
    """Set (or, with None, clear) the date a milestone was paid."""
    ensure_owner(milestone.project, actor)
    if paid_on is not None:
        if not dates.in_range(paid_on):
            raise ValidationError({"paid_on": dates.OUT_OF_RANGE})
        if paid_on > timezone.localdate():
            raise ValidationError({"paid_on": _("This date is in the future.")})
    with transaction.atomic():
        stored = stored_for_update(milestone)
        if stored.paid_on != paid_on:
            before = {"paid_on": stored.paid_on}
            Milestone.objects.filter(pk=stored.pk).update(paid_on=paid_on)
            stored.paid_on = paid_on
            changes_record(record=stored, before=before, actor=actor)
    return stored


def agreement_create(*, project: Project, author: User, data: Mapping[str, Any]) -> ScopeAgreement:
    """Record a new version of a project's terms. Earlier versions stay as they were.

    The project row is locked while the next version number is chosen, so two
    people saving at once get versions n and n+1, never a clash; the unique
    constraint on (project, version) backs this up.
    """
    ensure_owner(project, author)
    accepted_at = data.get("accepted_at")
    if accepted_at and not dates.in_range(accepted_at):
        raise ValidationError({"accepted_at": dates.OUT_OF_RANGE})
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        latest = ScopeAgreement.objects.filter(project=project).order_by("-version").first()
        if latest is not None and all(getattr(latest, name) == data.get(name) for name in ScopeAgreement.TERMS):
            raise ValidationError(
                _(
                    "Nothing changed from version %(version)s, so no new version was made. Change a term "
                    "(and say what changed and why)."
                )
                % {"version": latest.version}
            )
        agreement = ScopeAgreement(project=project, created_by=author, version=(latest.version if latest else 0) + 1)
        apply_fields(agreement, data, AGREEMENT_FIELDS)
        agreement.full_clean()
        agreement.save()
    return agreement


def milestones_flag_overdue(*, now: datetime.datetime) -> int:
    """The sweep's milestone step: flag, once each, unpaid payments whose due day has ended where the
    freelancer is, and tell the freelancer by e-mail (queued as due at `now`)."""
    candidates = Milestone.objects.filter(
        paid_on__isnull=True,
        overdue_flagged_at__isnull=True,
        due_date__lt=(now + datetime.timedelta(days=1)).date(),
        project__archived_at__isnull=True,
        project__client__archived_at__isnull=True,
    ).select_related("project__owner", "project__client")
    flagged = 0
    for milestone in candidates:
        owner = milestone.project.owner
        if milestone.due_date >= timezone.localdate(now, timezone=ZoneInfo(owner.time_zone)):
            continue
        with transaction.atomic():
            won = Milestone.objects.filter(pk=milestone.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now
            )
            if won != 1:
                continue
            project = milestone.project
            case = project.cases.filter(status="open", archived_at__isnull=True).order_by("-opened_at").first()
            target = case or project
            notification_queue(
                key=f"milestone-overdue:{milestone.pk}",
                user=owner,
                template="disputes/email/milestone_overdue",
                context={
                    "owner": owner,
                    "milestone": milestone,
                    "project": project,
                    "case": case,
                    "amount": format_money(milestone.amount, project.currency),
                    "url": f"{settings.SITE_URL}{target.get_absolute_url()}",
                },
                subject=_("Settle: a payment is past its due date"),
                now=now,
            )
            flagged += 1
    return flagged


def project_work_stop(
    *, project: Project, actor: User, reason: str = "", now: datetime.datetime | None = None
) -> Project:
    """Put the project on "work stopped until paid": shown on its page and its cases, and written on
    the timeline of each of its open cases, so the record says from when no work was done."""
    ensure_owner(project, actor)
    reason = " ".join(reason.split())
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    now = now or timezone.now()
    with transaction.atomic():
        stored = stored_for_update(project)
        if stored.work_stopped_at is not None:
            raise ValidationError(_("Work on this project is already stopped until paid."))
        stored.work_stopped_at, stored.work_stopped_reason = now, reason
        stored.save(update_fields=["work_stopped_at", "work_stopped_reason", "updated_at"])
        with on_the_record(stored.owner):
            body = gettext("Work on “%(project)s” stopped until paid.") % {"project": stored.title}
        body += f" {reason}" if reason else ""
        for case in Case.objects.filter(project=stored, status=Case.Status.OPEN).order_by("id"):
            entry_append(case=case, author=actor, kind="work_stopped", body=body, now=now)
    return stored


def project_work_resume(*, project: Project, actor: User, now: datetime.datetime | None = None) -> Project:
    """Lift "work stopped until paid", written on the open cases' timelines like the stop."""
    ensure_owner(project, actor)
    now = now or timezone.now()
    with transaction.atomic():
        stored = stored_for_update(project)
        if stored.work_stopped_at is None:
            raise ValidationError(_("Work on this project is not stopped."))
        stopped_at = stored.work_stopped_at
        stored.work_stopped_at, stored.work_stopped_reason = None, ""
        stored.save(update_fields=["work_stopped_at", "work_stopped_reason", "updated_at"])
        days = (now - stopped_at).days
        with on_the_record(stored.owner):
            if days < 1:
                body = gettext("Work on “%(project)s” resumed, the same day.") % {"project": stored.title}
            else:
                body = ngettext(
                    "Work on “%(project)s” resumed, %(days)d day after it stopped.",
                    "Work on “%(project)s” resumed, %(days)d days after it stopped.",
                    days,
                ) % {"project": stored.title, "days": days}
        for case in Case.objects.filter(project=stored, status=Case.Status.OPEN).order_by("id"):
            entry_append(case=case, author=actor, kind="work_resumed", body=body, now=now)
    return stored
