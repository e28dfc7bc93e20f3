"""Mail with the client, walked through in Chromium: a reminder from the kit goes out, the client's answer
comes back through `manage.py mail_in` at its real time, and a mailbox and a WhatsApp export fill the timeline."""

import datetime as dt
import io
import sys
import zipfile
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.management import call_command
from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from disputes.models import ClientMail, TimelineEntry
from disputes.services.timeline import entry_add
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import png_bytes
from tests.disputes.test_imports import ANDROID, mailbox
from tests.factories import PASSWORD, CaseFactory, MilestoneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZONE = "Europe/Berlin"


def mail_in(raw: bytes) -> None:
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("mail_in", stdout=io.StringIO())
    finally:
        sys.stdin = stdin


def shown(moment: dt.datetime) -> str:
    """A time as the timeline prints it, in the user's zone."""
    return dateformat.format(moment.astimezone(ZoneInfo(ZONE)), "j M Y, H:i")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_a_reminder_goes_out_and_the_reply_comes_back_at_its_real_time(live_server, page: Page, shot):
    user = UserFactory(email="mia@example.com", name="Mia Maker", time_zone=ZONE)
    case = CaseFactory(
        project__client__owner=user,
        project__client__name="Acme Bakery",
        project__client__email="billing@acme.example",
        project__title="Brand identity",
        title="Final payment missing",
        stage="reminders",
    )
    MilestoneFactory(project=case.project, title="Final payment", amount=Decimal("1200"), due_date=dt.date(2026, 1, 9))
    asked = timezone.now() - dt.timedelta(hours=3)
    entry_add(
        case=case, author=user, kind="message_in", channel="email", body="Is the invoice final?", happened_at=asked
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("clock-banner")).to_be_visible()
    page.get_by_test_id("reminder-kit-link").click()
    expect(page.locator("#id_body")).to_contain_text("Final payment")
    expect(page.locator("#id_body")).to_contain_text("1,200.00")
    page.click("a:has-text('Firm reminder')")
    expect(page.locator("#id_subject")).to_have_value("Payment overdue: Brand identity")
    expect(page.get_by_test_id("clock-left")).to_contain_text("left")
    shot("70-reminder-kit")
    page.get_by_test_id("mail-send").click()

    # Settle sent it (the worker runs at once here) and the timeline says so, with the server's time.
    expect(page.get_by_test_id("sent-by-settle")).to_be_visible()
    expect(page.get_by_test_id("clock-banner")).to_have_count(0)  # the sent reminder answered the client
    [sent] = django_mail.outbox
    assert sent.to == ["billing@acme.example"] and "Final payment" in sent.body
    mail = ClientMail.objects.get()
    assert mail.entry is not None and sent.extra_headers["Message-ID"] == mail.message_id
    shot("71-reminder-sent")

    # The client answers 25 minutes after the reminder; the message reaches Settle 15 minutes later,
    # when the mail server hands it to `manage.py mail_in`. The timeline keeps the time it was written.
    written = (mail.sent_at + dt.timedelta(minutes=25)).replace(microsecond=0)
    answer = EmailMessage()
    answer["From"] = "Acme Billing <billing@acme.example>"
    answer["To"] = mail.reply_to
    answer["Subject"] = f"Re: {mail.subject}"
    answer["Date"] = format_datetime(written)
    answer["Message-ID"] = "<answer-1@acme.example>"
    answer["In-Reply-To"] = mail.message_id
    answer.set_content("We pay on Friday. Sorry for the delay.")
    with time_machine.travel(written + dt.timedelta(minutes=15), tick=False):
        mail_in(answer.as_bytes())
        mail_in(answer.as_bytes())  # delivered twice by the server: filed once

    page.reload()
    incoming = page.locator("ul.timeline > li.kind-message_in").filter(has_text="We pay on Friday")
    expect(incoming).to_contain_text(shown(written))
    assert TimelineEntry.objects.filter(case=case, body__contains="We pay on Friday").count() == 1
    case.refresh_from_db()
    assert case.response_due_at == written + dt.timedelta(hours=24)  # the clock runs from the real time
    shot("72-reply-filed")

    # On a phone, the composer fits the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{case.get_absolute_url()}mail/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot("73-compose-phone")


def test_a_mailbox_and_a_whatsapp_export_fill_the_timeline(live_server, page: Page, shot, tmp_path):
    user = UserFactory(email="leo@example.com", name="Leo Lens", time_zone=ZONE)
    case = CaseFactory(
        project__client__owner=user,
        project__client__name="Nora Client",
        project__client__email="nora@client.example",
        title="Photos refused",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, user.email)

    mbox = tmp_path / "Nora.mbox"
    mbox.write_bytes(mailbox(case))
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_test_id("import-link").click()
    page.set_input_files("#id_file", str(mbox))
    page.get_by_test_id("import-read").click()
    rows = page.get_by_test_id("import-rows")
    expect(rows).to_contain_text("Logo feedback")
    expect(rows).to_contain_text("news@shop.example")
    shot("74-import-preview-mbox")
    page.get_by_test_id("import-apply").click()
    expect(page.locator("body")).to_contain_text("Imported 3 messages")
    expect(page.locator("#timeline")).to_contain_text("The colours are off.")
    expect(page.locator("#timeline")).to_contain_text(shown(dt.datetime(2026, 5, 2, 8, 30, tzinfo=dt.UTC)))

    # The same file again adds nothing.
    page.get_by_test_id("import-link").click()
    page.set_input_files("#id_file", str(mbox))
    page.get_by_test_id("import-read").click()
    expect(page.get_by_test_id("import-rows")).to_contain_text("on the timeline")

    chat = tmp_path / "WhatsApp Chat with Nora Client.zip"
    with zipfile.ZipFile(chat, "w") as archive:
        archive.writestr("WhatsApp Chat with Nora Client.txt", ANDROID.format(client="Nora Client", me="Leo Lens"))
        archive.writestr("IMG-20260513-WA0001.jpg", png_bytes())
    page.goto(f"{live_server.url}{case.get_absolute_url()}import/")
    page.set_input_files("#id_file", str(chat))
    page.select_option("#id_time_zone", ZONE)
    page.get_by_test_id("import-read").click()
    expect(page.get_by_test_id("import-rows")).to_contain_text("Hi, where is the logo?")
    page.set_viewport_size({"width": 375, "height": 800})
    shot("75-import-preview-chat-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("import-apply").click()
    expect(page.locator("body")).to_contain_text("Imported 4 messages")
    expect(page.locator("#timeline")).to_contain_text("This is NOT what I asked for")
    # 02/05/2026 10:15 on a phone in Berlin.
    expect(page.locator("#timeline")).to_contain_text("2 May 2026, 10:15")
    expect(page.locator("#evidence")).to_contain_text("IMG-20260513-WA0001.jpg")
    shot("76-imported-timeline")
    assert (SCREENSHOTS / "76-imported-timeline.png").exists()
