from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models


class NotYours(Exception):
    """An object that belongs to someone else was handed to a service."""


def apply_fields(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Copy the allowed keys of `data` onto `instance` (unknown keys are an error)."""
    allowed = tuple(allowed)
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)


def ensure_owner(obj: models.Model, owner) -> None:
    if obj.owner_id != owner.pk:
        raise NotYours(f"{obj._meta.verbose_name} {obj.pk} does not belong to user {owner.pk}")
