"""Projects, their payment milestones and their versioned scope agreements."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from disputes.models import Client, Milestone, Project, ScopeAgreement
from disputes.services.common import apply_fields, ensure_owner

PROJECT_FIELDS = (
    "title",
    "description",
    "start_date",
    "due_date",
    "price",
    "currency",
    "prepayment_percent",
    "status",
)
AGREEMENT_FIELDS = (*ScopeAgreement.TERMS, "change_note")


def project_create(*, owner: User, client: Client, data: Mapping[str, Any]) -> Project:
    ensure_owner(client, owner)
    project = Project(owner=owner, client=client)
    apply_fields(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    return project


def project_update(*, project: Project, data: Mapping[str, Any]) -> Project:
    apply_fields(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    return project


def milestone_add(*, project: Project, title: str, amount: Decimal, due_date: datetime.date | None = None) -> Milestone:
    milestone = Milestone(project=project, title=title, amount=amount, due_date=due_date)
    milestone.full_clean()
    milestone.save()
    return milestone


def milestone_mark_paid(*, milestone: Milestone, paid_on: datetime.date | None) -> Milestone:
    """Set (or, with None, clear) the date a milestone was paid."""
    milestone.paid_on = paid_on
    milestone.save(update_fields=["paid_on"])
    return milestone


def agreement_create(*, project: Project, author: User, data: Mapping[str, Any]) -> ScopeAgreement:
    """Record a new version of a project's terms. Earlier versions stay as they were.

    The project row is locked while the next version number is chosen, so two
    people saving at once get versions n and n+1, never a clash; the unique
    constraint on (project, version) backs this up.
    """
    ensure_owner(project, author)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        latest = ScopeAgreement.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0
        agreement = ScopeAgreement(project=project, created_by=author, version=latest + 1)
        apply_fields(agreement, data, AGREEMENT_FIELDS)
        agreement.full_clean()
        agreement.save()
    return agreement
