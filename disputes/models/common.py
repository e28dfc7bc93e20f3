"""Shared pieces of the disputes models: channels, money and currency validation, ownership."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.rules.money import is_currency

money_validator = MinValueValidator(Decimal("0"), "Amounts cannot be negative.")


def currency_validator(value: str) -> None:
    """An ISO 4217 code in current use (USD, EUR, JPY…), checked against Babel's CLDR data."""
    if not is_currency(value):
        raise ValidationError(
            _("“%(value)s” is not a currency code in use. Pick one from the list, e.g. USD or EUR.") % {"value": value}
        )


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PLATFORM = "platform", _("Platform messages")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    IN_PERSON = "in_person", _("In person")
    CHAT = "chat", _("Chat app")
    LETTER = "letter", _("Letter / post")
    OTHER = "other", _("Other")


class OwnedQuerySet(models.QuerySet):
    def for_owner(self, user):
        return self.filter(owner=user)

    def _archived(self) -> Q:
        # A record is archived itself, or through its client or project (an archived client's
        # projects and cases leave the lists with it, and come back when it is restored).
        paths = getattr(self.model, "ARCHIVED_THROUGH", ("archived_at",))
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{path}__isnull": False})
        return condition

    def listed(self):
        """What the lists show: nothing archived."""
        return self.exclude(self._archived())

    def archived(self):
        return self.filter(self._archived())
