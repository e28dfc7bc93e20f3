"""Writes to user accounts."""

from accounts.models import User


def user_sign_up(*, email: str, password: str, name: str = "", business_name: str = "", time_zone: str = "UTC") -> User:
    """Create a freelancer's account. The caller has validated the password."""
    return User.objects.create_user(
        email=email, password=password, name=name, business_name=business_name, time_zone=time_zone
    )


def user_update_profile(*, user: User, name: str, business_name: str, time_zone: str) -> User:
    """Save who the user is and the zone every time is shown in."""
    user.name = name
    user.business_name = business_name
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    User.objects.filter(pk=user.pk).update(name=name, business_name=business_name, time_zone=time_zone)
    return user
