"""Writes to user accounts: sign-up by confirmed e-mail, the profile."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.tokens import sign_up_tokens

logger = logging.getLogger(__name__)

# One sign-up e-mail per address per interval, whoever asks: the form cannot be used to flood a mailbox.
SIGN_UP_EMAIL_INTERVAL = datetime.timedelta(minutes=10)
# Accounts never confirmed are forgotten after this long.
UNCONFIRMED_KEPT_FOR = datetime.timedelta(days=7)


def sign_up_request(
    *,
    email: str,
    name: str = "",
    business_name: str = "",
    time_zone: str = "UTC",
    language: str = "",
    next_url: str = "",
) -> None:
    """Someone asked for an account for `email`. What they see next is the same whatever happens here.

    A new address gets an inactive account and a link to confirm it and
    choose a password; an address whose account is waiting for confirmation
    gets the link again; an address that already has an account gets a note
    that someone tried to sign up with it. Nothing tells the person at the
    form which of these it was. The e-mail goes out during the request, as
    Django's password reset does; a mail server that fails is logged, never
    shown (the person can ask again).
    """
    email = User.objects.normalize_email(email).strip().lower()
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        email=email, password=None, name=name, business_name=business_name, time_zone=time_zone,
                        language=language, is_active=False,
                    )  # fmt: skip
            except IntegrityError:  # created at the same moment by another request
                return
        if user.last_sign_up_email_at and now - user.last_sign_up_email_at < SIGN_UP_EMAIL_INTERVAL:
            return
        User.objects.filter(pk=user.pk).update(last_sign_up_email_at=now)
    if user.is_active:
        subject = _("Someone tried to create a Settle account with your address")
        _mail(user, "accounts/email/sign_up_existing.txt", subject)
    else:
        _mail(user, "accounts/email/sign_up_confirm.txt", _("Confirm your Settle account"), link=_link(user, next_url))


def _link(user: User, next_url: str) -> str:
    path = reverse(
        "accounts:sign_up_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": sign_up_tokens.make_token(user)},
    )
    return f"{settings.SITE_URL}{path}" + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _mail(user: User, template: str, subject: str, **context) -> None:
    # In the account's language; a new account's is the browser's that asked for it.
    with translation.override(user.language or translation.get_language()):
        body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
        subject = str(subject)
    try:
        send_mail(subject, body, None, [user.email])
    except (smtplib.SMTPException, OSError):
        logger.warning("Could not send a sign-up e-mail to user %s", user.pk, exc_info=True)


def sign_up_confirm(*, user: User, password: str) -> User:
    """Follow the confirmation link: set the password and open the account. The link then stops working."""
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user


def unconfirmed_accounts_purge(*, now: datetime.datetime) -> int:
    """Forget accounts whose confirmation link was never followed (they hold nothing)."""
    stale = User.objects.filter(
        Q(last_sign_up_email_at__lt=now - UNCONFIRMED_KEPT_FOR) | Q(last_sign_up_email_at__isnull=True),
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=now - UNCONFIRMED_KEPT_FOR,
        is_staff=False,
    ).filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    deleted, _ = stale.delete()
    return deleted


def user_update_profile(
    *, user: User, name: str, business_name: str, time_zone: str, language: str | None = None
) -> User:
    """Save who the user is, the zone every time is shown in and (when given) the language Settle uses."""
    user.name = name
    user.business_name = business_name
    user.time_zone = time_zone
    if language is not None:
        user.language = language
    user.full_clean(exclude=["password"])
    User.objects.filter(pk=user.pk).update(
        name=name, business_name=business_name, time_zone=time_zone, language=user.language
    )
    return user
