"""Which language Settle writes in for whom: the user's pages and mail, a client's letters and mail.

One place for the rule: a user's own choice, else the site's default (a request without a choice
follows the browser instead, see accounts.middleware); a client's language when the freelancer
recorded one, else the freelancer's.
"""

from django.conf import settings


def user_language(user) -> str:
    """The language of what Settle writes to `user` outside a request (e-mails, PDFs)."""
    chosen = getattr(user, "language", "") if user is not None else ""
    return chosen or settings.LANGUAGE_CODE


def client_language(client) -> str:
    """The language of letters and e-mails to `client`."""
    return client.language or user_language(client.owner)
