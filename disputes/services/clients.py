"""Clients and the warning signs noticed about them."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.models import Client, WarningSign
from disputes.rules import dates
from disputes.services.common import apply_fields, changed_fields, ensure_owner, stored_for_update
from disputes.services.history import changes_record

CLIENT_FIELDS = (
    "name",
    "company",
    "email",
    "phone",
    "preferred_channel",
    "platform",
    "time_zone",
    "language",
    "notes",
)


def client_create(*, owner: User, data: Mapping[str, Any]) -> Client:
    client = Client(owner=owner)
    apply_fields(client, data, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, actor: User, data: Mapping[str, Any]) -> Client:
    """Change a client's details, compared with (and written to) the stored row."""
    ensure_owner(client, actor)
    with transaction.atomic():
        stored = stored_for_update(client)
        changed = changed_fields(stored, data)
        before = {name: getattr(stored, name) for name in changed}
        apply_fields(stored, data, CLIENT_FIELDS)
        stored.full_clean()
        if changed:
            stored.save(update_fields=[*changed, "updated_at"])
            changes_record(record=stored, before=before, actor=actor)
    return stored


@transaction.atomic
def warning_sign_add(
    *, client: Client, owner: User, kind: str, noticed_on: datetime.date, note: str = ""
) -> WarningSign:
    """Record a warning sign on a client: it belongs to the client, across all projects."""
    ensure_owner(client, owner)
    if not dates.in_range(noticed_on):
        raise ValidationError({"noticed_on": dates.OUT_OF_RANGE})
    if noticed_on > timezone.localdate():
        raise ValidationError({"noticed_on": _("This date is in the future.")})
    sign = WarningSign(client=client, kind=kind, noticed_on=noticed_on, note=note)
    sign.full_clean()
    sign.save()
    return sign
