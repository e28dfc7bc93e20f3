"""A real IMAP server for the tests: Debian's Dovecot, started on a free port in a temporary folder."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.mailserver import free_port

USER, PASSWORD = "settle", "mailbox-secret"
CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
}}
"""


class ImapServer:
    def __init__(self, binary: str):
        # Dovecot's own processes run as its unprivileged users: they must be able to read the folder,
        # which pytest's private temporary folders do not allow.
        self.root = Path(tempfile.mkdtemp(prefix="settle-imap-"))
        self.root.chmod(0o755)
        self.binary, self.port = binary, free_port()
        # Dovecot will not hand a mailbox to root: run the mail side as nobody when the tests are root.
        self.uid, self.gid = (os.getuid(), os.getgid()) if os.getuid() else (65534, 65534)

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> "ImapServer":
        for folder in ("run", "state", "home"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if not os.getuid():
            os.chown(self.root / "home", self.uid, self.gid)
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, uid=self.uid, gid=self.gid, port=self.port))
        subprocess.run([self.binary, "-c", str(config)], check=True, timeout=30)
        self._wait()
        return self

    def _wait(self) -> None:
        import socket

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start: {(self.root / 'dovecot.log').read_text()[-2000:]}")

    def deliver(self, raw: bytes) -> None:
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        client.append("INBOX", None, None, raw)
        client.logout()

    def unseen(self) -> int:
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        _, data = client.uid("SEARCH", None, "UNSEEN")
        client.logout()
        return len((data[0] or b"").split())

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (os.path.exists("/usr/sbin/dovecot") and "/usr/sbin/dovecot") or None
