"""Field history: every allowed edit of a case, client, project or milestone leaves its old and new value.

The editing services (`case_update`, `client_update`, `project_update`,
`milestone_mark_paid`) read the stored row locked, then call
`changes_record` with the values they found before writing, in the same
transaction. Rows are never changed or deleted (`db_guard`). Values are kept
as the text a person would read: a choice's label, a date as YYYY-MM-DD, an
amount with its decimals, empty for "none". Pages read them with
`selectors.field_history`.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import User
from disputes.models import FieldChange, Milestone


def _owner_id(record: models.Model) -> int:
    return record.project.owner_id if isinstance(record, Milestone) else record.owner_id


def value_text(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes_record(
    *, record: models.Model, before: Mapping[str, Any], actor: User, now: datetime.datetime | None = None
) -> list[FieldChange]:
    """Keep one row per field whose value differs from `before` (the stored values before the edit)."""
    now = now or timezone.now()
    rows = []
    for name, old in before.items():
        new = getattr(record, name)
        if old == new:
            continue
        field = record._meta.get_field(name)
        rows.append(
            FieldChange(
                owner_id=_owner_id(record),
                subject=FieldChange.subject_of(record),
                subject_id=record.pk,
                field=name,
                label=capfirst(str(field.verbose_name)),
                old_value=value_text(field, old),
                new_value=value_text(field, new),
                changed_by=actor,
                changed_at=now,
            )
        )
    return FieldChange.objects.bulk_create(rows)
