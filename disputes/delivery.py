"""Handing one e-mail to the mail server, and saying exactly when it was handed over.

Why not just `EmailMessage.send()`: after a crash or a timeout the outbox must
know whether the mail server may already have the message. Everything up to
and including the bytes of the message is "before hand-over": if that fails,
the server has no complete message and sending again is safe. Once the last
byte of the message (the closing ".") has gone out, the server may deliver
it even if its answer never reaches us; `on_handover` is called at exactly
that point, before we wait for the answer, so the outbox can record it first.

With the SMTP backend the conversation is written out here (MAIL, RCPT,
DATA, the message, then the reply) on Django's own connection, so TLS, login
and timeouts stay Django's (EMAIL_USE_TLS, EMAIL_TIMEOUT, …). Any other
backend (console, file, the test outbox) hands over in one call.
"""

import contextlib
import re
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

CRLF = b"\r\n"


class RefusedAfterHandover(smtplib.SMTPResponseException):
    """The server answered the finished message with a refusal: a definite "not delivered"."""


def deliver(message: EmailMessage, *, on_handover: Callable[[], None]) -> None:
    """Send `message`; call `on_handover()` once the server may have it. Raises on any failure."""
    connection = get_connection()
    if not isinstance(connection, SMTPBackend):
        on_handover()
        connection.send_messages([message])
        return
    connection.open()
    try:
        _smtp_send(connection.connection, message, on_handover)
    finally:
        # The message's fate is decided by now; a server that hangs on QUIT changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()


def _smtp_send(smtp: smtplib.SMTP, message: EmailMessage, on_handover: Callable[[], None]) -> None:
    encoding = message.encoding or settings.DEFAULT_CHARSET
    # A message may name its own envelope sender (where bounces go), apart from its From header.
    sender = sanitize_address(getattr(message, "envelope_from", "") or message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    # Dot-stuffing and the terminating line, as smtplib.SMTP.data() does.
    payload = re.sub(rb"(?m)^\.", b"..", data)
    if not payload.endswith(CRLF):
        payload += CRLF
    smtp.send(payload + b"." + CRLF)
    on_handover()
    code, reply = smtp.getreply()
    if code != 250:
        raise RefusedAfterHandover(code, reply)
