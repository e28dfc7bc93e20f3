"""Clients and the warning signs noticed about them."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import User
from disputes.models import Client, WarningSign
from disputes.services.common import apply_fields, ensure_owner

CLIENT_FIELDS = (
    "name",
    "company",
    "email",
    "phone",
    "preferred_channel",
    "platform",
    "time_zone",
    "notes",
)


def client_create(*, owner: User, data: Mapping[str, Any]) -> Client:
    client = Client(owner=owner)
    apply_fields(client, data, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, data: Mapping[str, Any]) -> Client:
    apply_fields(client, data, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def warning_sign_add(
    *, client: Client, owner: User, kind: str, noticed_on: datetime.date, note: str = ""
) -> WarningSign:
    """Record a warning sign on a client: it belongs to the client, across all projects."""
    ensure_owner(client, owner)
    sign = WarningSign(client=client, kind=kind, noticed_on=noticed_on, note=note)
    sign.full_clean()
    sign.save()
    return sign
