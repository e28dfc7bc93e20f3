"""Archiving: a client, project or case leaves the lists but is never deleted.

Nothing in Settle deletes a case, a client or a project (database triggers
refuse it, `db_guard`), so a timeline can never be removed by a cascade.
What a freelancer can do instead is archive: the record, and for a client
or project everything under it, leaves the lists, and comes back, exactly
as it was, when restored. Only finished business is archived: a case with
its response clock running, or a client or project with an open case, stays.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from disputes.models import Case, Client, Project
from disputes.services.common import ensure_owner, stored_for_update


def _open_cases(record: models.Model) -> int:
    if isinstance(record, Case):
        return int(record.is_open)
    cases = Case.objects.filter(**{record._meta.model_name: record}, status=Case.Status.OPEN)
    return cases.count()


def archive(*, record: Client | Project | Case, actor: User) -> Client | Project | Case:
    """Archive a client, project or case that has no open case. Archiving twice changes nothing."""
    ensure_owner(record, actor)
    with transaction.atomic():
        stored = stored_for_update(record)
        if stored.archived_at is not None:
            return stored
        open_cases = _open_cases(stored)
        if open_cases:
            if isinstance(stored, Case):
                raise ValidationError(_("Close the case first (resolved, or walked away): an open case stays in view."))
            if isinstance(stored, Client):
                refusal = ngettext(
                    "This client has %(count)s open case. Close it first: open cases stay in view.",
                    "This client has %(count)s open cases. Close them first: open cases stay in view.",
                    open_cases,
                )
            else:
                refusal = ngettext(
                    "This project has %(count)s open case. Close it first: open cases stay in view.",
                    "This project has %(count)s open cases. Close them first: open cases stay in view.",
                    open_cases,
                )
            raise ValidationError(refusal % {"count": open_cases})
        stored.archived_at = timezone.now()
        stored.save(update_fields=["archived_at", "updated_at"])
    return stored


def restore(*, record: Client | Project | Case, actor: User) -> Client | Project | Case:
    """Bring an archived record back into the lists, as it was."""
    ensure_owner(record, actor)
    with transaction.atomic():
        stored = stored_for_update(record)
        if stored.archived_at is not None:
            stored.archived_at = None
            stored.save(update_fields=["archived_at", "updated_at"])
    return stored
