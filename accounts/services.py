"""Writes to user accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from disputes.services.concerns import concerns_resync_for_user


def user_sign_up(*, email: str, password: str, name: str = "", business_name: str = "", time_zone: str = "UTC") -> User:
    """Create a freelancer's account. The caller has validated the password."""
    return User.objects.create_user(
        email=email, password=password, name=name, business_name=business_name, time_zone=time_zone
    )


def user_update_profile(
    *,
    user: User,
    name: str,
    business_name: str,
    time_zone: str,
    email_reminders: bool,
    response_window_hours: int | None = None,
) -> User:
    """Save the profile. A new response window moves the deadlines of open concerns."""
    if response_window_hours is not None and not 1 <= response_window_hours <= settings.RESPONSE_WINDOW_HOURS:
        raise ValidationError(
            {"response_window_hours": f"Choose between 1 and {settings.RESPONSE_WINDOW_HOURS} hours."}
        )
    window_changed = user.response_window_hours != response_window_hours
    user.name = name
    user.business_name = business_name
    user.time_zone = time_zone
    user.email_reminders = email_reminders
    user.response_window_hours = response_window_hours
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["name", "business_name", "time_zone", "email_reminders", "response_window_hours"])
        if window_changed:
            concerns_resync_for_user(user=user)
    return user
