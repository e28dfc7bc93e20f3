"""Small helpers every service uses: ownership, field copying, reading the stored row."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class NotYours(Exception):
    """An object that belongs to someone else was handed to a service.

    Views only ever pass objects their loaders found for the signed-in
    person, so this is a programming error, never a message for a user.
    """


def ensure_owner(obj: models.Model, owner) -> None:
    if obj.owner_id != owner.pk:
        raise NotYours(f"{obj._meta.verbose_name} {obj.pk} does not belong to user {owner.pk}")


def apply_fields(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Copy the allowed keys of `data` onto `instance` (unknown keys are an error)."""
    allowed = tuple(allowed)
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)


def stored_for_update(instance: M) -> M:
    """The row as it is in the database, locked until the transaction ends.

    Services compare new values with this, never with `instance`: a bound
    ModelForm has already written the submitted values onto its instance by
    the time the view calls the service, so "did it change?" asked of the
    instance always answers no.
    """
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def changed_fields(stored: models.Model, data: Mapping[str, Any]) -> list[str]:
    """The keys of `data` whose value differs from the stored row's."""
    return [name for name, value in data.items() if getattr(stored, name) != value]
