"""The link in a sign-up confirmation e-mail.

It is Django's password-reset token with its own salt, over what changes
when the link is used: once the account is active and has a password, the
link stops working. It expires with PASSWORD_RESET_TIMEOUT (three days by
default), like a password-reset link.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


sign_up_tokens = SignUpTokenGenerator()
