"""A real SMTP server for tests (aiosmtpd, in this process), told how to behave.

    server = MailServer(); server.start()
    server.mode = "slow"          # answer the finished message after `delay` seconds
    ...; server.stop()

Modes:
- "accept"   250 for everything (the default);
- "refuse"   451 to the finished message: a definite "not delivered";
- "drop"     close the connection at RCPT, before any message data;
- "slow"     receive the whole message, keep it, answer after `delay` seconds;
- "hang_rcpt" / "hang_data"  wait at RCPT / after the data until `release()`.

`received` holds every message the server kept (in "slow" and "hang_data"
too, since the client handed it over), with its headers parsed.
"""

import asyncio
import email
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.server.reached.set()
        if self.server.mode == "drop":
            session.transport.close()
            return "421 closing"
        if self.server.mode == "hang_rcpt":
            await self._wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.server.mode
        if mode == "refuse":
            return "451 Try again later"
        self.server.received.append(email.message_from_bytes(envelope.content))
        self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        self.server.reached.set()
        if mode == "slow":
            await asyncio.sleep(self.server.delay)
        elif mode == "hang_data":
            await self._wait()
        return "250 Message accepted for delivery"

    async def _wait(self) -> None:
        while not self.server.released.is_set():
            await asyncio.sleep(0.05)


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.mode = "accept"
        self.delay = 0.0
        self.received: list[email.message.Message] = []
        # (MAIL FROM, RCPT TO, the bytes as they arrived) of each message kept.
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.reached = threading.Event()
        self.released = threading.Event()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> "MailServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.controller.stop()

    def release(self) -> None:
        self.released.set()

    def use(self, settings, *, timeout: int = 2) -> None:
        """Point Django's e-mail settings at this server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_TIMEOUT = timeout
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
