"""Shared pieces of the disputes models: channels, money and currency validation, ownership."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code, e.g. USD or EUR.")
money_validator = MinValueValidator(Decimal("0"), "Amounts cannot be negative.")


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PLATFORM = "platform", "Platform messages"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    CHAT = "chat", "Chat app"
    LETTER = "letter", "Letter / post"
    OTHER = "other", "Other"


class OwnedQuerySet(models.QuerySet):
    def for_owner(self, user):
        return self.filter(owner=user)
