import re
from pathlib import Path

import pytest

from tests.services import require_chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """Django's live server insists on a media URL; Settle has none (files go
    through a view that checks access). Give the test server one that no page
    ever links to, before the server starts."""
    from django.conf import settings

    settings.MEDIA_URL = "/__no-public-media__/"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": require_chromium(), "args": CHROMIUM_ARGS}


@pytest.fixture
def shot(page):
    """Save a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def link_in_mail(base: str, to: str, path_pattern: str) -> str:
    """The live-server URL of the link in the last e-mail to `to` whose path matches `path_pattern`."""
    from django.core import mail

    body = next(m.body for m in reversed(mail.outbox) if to in m.to)
    path = re.search(rf"https?://[^/\s]+({path_pattern}\S*)", body).group(1)
    return f"{base}{path}"
