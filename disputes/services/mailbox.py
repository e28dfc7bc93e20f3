"""The IMAP poll: for setups without their own mail server, replies wait in a mailbox Settle reads.

`MAIL_IN_IMAP_URL` names the mailbox (`imaps://user:password@host:993/INBOX`,
or `imap://` for a server on a trusted network). Each run reads the unseen
messages without marking them (BODY.PEEK), files each through
`mail_in.mail_receive`, and only then marks it seen. A run cut off between
the two files nothing twice: the next run finds the same Message-ID on the
case and counts it a duplicate.
"""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from disputes import mailparse
from disputes.models import ReceivedMessage
from disputes.services.mail_in import mail_receive

logger = logging.getLogger(__name__)

MAX_PER_RUN = 200


@dataclass
class PollResult:
    seen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


@dataclass(frozen=True)
class Mailbox:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> "Mailbox":
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ImproperlyConfigured("MAIL_IN_IMAP_URL must look like imaps://user:password@host/INBOX.")
        secure = parts.scheme == "imaps"
        return cls(
            secure=secure,
            host=parts.hostname,
            port=parts.port or (993 if secure else 143),
            user=unquote(parts.username),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )

    def connect(self, timeout: float = 30) -> imaplib.IMAP4:
        if self.secure:
            client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(), timeout=timeout)
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=timeout)
        client.login(self.user, self.password)
        return client


def mailbox_poll(url: str) -> PollResult:
    """File every unseen message of the mailbox; return how many and what became of them."""
    mailbox = Mailbox.from_url(url)
    result = PollResult()
    client = mailbox.connect()
    try:
        status, _ = client.select(f'"{mailbox.folder}"')
        if status != "OK":
            raise imaplib.IMAP4.error(f"The folder {mailbox.folder} cannot be opened.")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:MAX_PER_RUN] if status == "OK" else []
        for uid in uids:
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts or () if isinstance(part, tuple)), None)
            if status != "OK" or raw is None:
                continue
            try:
                filed = mail_receive(raw=raw, source=ReceivedMessage.Source.IMAP)
                outcome = filed.outcome
            except mailparse.MailUnreadable as error:
                logger.warning("Mailbox message %s is not readable mail: %s", uid.decode(), error)
                outcome = "unreadable"
            if outcome == "no_case":
                logger.warning("Mailbox message %s names no case's reply address; left in the mailbox.", uid.decode())
            client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
            result.seen += 1
            result.count(outcome)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return result
