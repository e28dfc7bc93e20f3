"""Skip-or-fail for tests that need a real service.

Locally a test that needs PostgreSQL, Redis or Chromium skips when the
service is missing. With REQUIRE_SERVICES=1 (as in CI) it fails instead, so a
green run can never come from skipping.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

REQUIRED = os.environ.get("REQUIRE_SERVICES", "") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"Required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        missing("needs Redis: set CELERY_BROKER_URL=redis://…")
    return url


def require_chromium() -> str:
    if not CHROMIUM:
        missing("needs Chromium (apt-get install chromium)")
    return CHROMIUM


def require_openssl() -> str:
    """OpenSSL's command line: the hand checks a case file's HOW-TO describes, and the test timestamp authority."""
    path = shutil.which("openssl")
    if not path:
        missing("needs the openssl command (apt-get install openssl)")
    return path


def require_dovecot() -> str:
    """Debian's Dovecot, for the IMAP poll's tests against a real mailbox."""
    from tests.imapserver import dovecot_binary

    path = dovecot_binary()
    if not path:
        missing("needs Dovecot for the IMAP tests (apt-get install dovecot-imapd)")
    return path


def require_s3_server() -> str:
    """moto's S3 server (a test requirement), for the object-storage tests."""
    from tests.s3server import moto_server_binary

    path = moto_server_binary()
    if not path:
        missing("needs moto's server for the S3 tests (pip install 'moto[server]')")
    return path


def require_msgfmt() -> str:
    found = shutil.which("msgfmt")
    if not found:
        missing("needs GNU gettext's msgfmt (apt-get install gettext)")
    return found
