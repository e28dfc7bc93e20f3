"""Mail coming back to a case: by `manage.py mail_in`, with the real time, once, and never trusted blindly."""

import datetime as dt
import io
import sys
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from disputes import mailparse
from disputes.models import Evidence, Notification, ReceivedMessage, TimelineEntry
from disputes.services.mail_in import mail_receive, received_accept, received_reject
from disputes.services.mail_out import mail_queue, mail_send, reply_address

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def reply(case, *, sender=None, date=T0, body="Paid today, sorry for the delay.", message_id=None, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = f"The Client <{sender or case.client.email}>"
    message["To"] = reply_address(case)
    message["Subject"] = "Re: About the invoice"
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id or f"<reply-{case.pk}-{date and date.timestamp()}@client.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_a_reply_is_filed_at_the_time_it_was_written_and_starts_the_clock_from_then(case):
    written = T0 - dt.timedelta(hours=3)
    with time_machine.travel(T0, tick=False):
        filed = mail_receive(raw=reply(case, date=written))
    assert filed.outcome == "filed" and filed.case_id == case.pk
    entry = TimelineEntry.objects.get(case=case, kind="message_in")
    assert entry.happened_at == written and entry.channel == "email"
    assert "Paid today" in entry.body and case.client.email in entry.body
    case.refresh_from_db()
    assert case.response_due_at == written + dt.timedelta(hours=24)
    raw = Evidence.objects.get(entry=entry, kind="email")
    assert raw.sha256 in entry.body


def test_a_date_header_in_the_future_is_not_believed(case):
    with time_machine.travel(T0, tick=False):
        mail_receive(raw=reply(case, date=T0 + dt.timedelta(days=3)))
        mail_receive(raw=reply(case, date=None, message_id="<nodate@client.example>"))
    assert set(TimelineEntry.objects.filter(kind="message_in").values_list("happened_at", flat=True)) == {T0}


def test_the_same_message_twice_is_filed_once(case):
    raw = reply(case)
    assert mail_receive(raw=raw).outcome == "filed"
    assert mail_receive(raw=raw).outcome == "duplicate"
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 1
    assert ReceivedMessage.objects.filter(case=case).count() == 1


def test_mail_from_another_address_is_held_until_accepted_or_rejected(case):
    filed = mail_receive(raw=reply(case, sender="stranger@elsewhere.example"))
    assert filed.outcome == "held"
    # The freelancer is told, once.
    assert Notification.objects.filter(user=case.owner, key__startswith="mail-held:").count() == 1
    assert not TimelineEntry.objects.filter(case=case, kind="message_in").exists()
    held = ReceivedMessage.objects.get(status="held")
    assert received_accept(received=held, actor=case.owner).outcome == "filed"
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 1
    with pytest.raises(ValidationError):
        received_accept(received=ReceivedMessage.objects.get(pk=held.pk), actor=case.owner)
    mail_receive(raw=reply(case, sender="other@elsewhere.example", message_id="<second@x>"))
    second = ReceivedMessage.objects.get(status="held")
    assert received_reject(received=second, actor=case.owner)
    second.refresh_from_db()
    assert second.status == "rejected" and not second.raw
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 1


def test_auto_replies_never_start_the_clock(case):
    mail_receive(raw=reply(case, Auto_Submitted="auto-replied", body="I am out of the office until Monday."))
    assert TimelineEntry.objects.get(case=case).kind == "auto_reply"
    case.refresh_from_db()
    assert case.response_due_at is None


def test_a_bounce_is_recorded_on_the_mail_it_is_about(case, mail_server):
    mail = mail_queue(case=case, author=case.owner, subject="Invoice", body="Please pay.")
    mail_send(pk=mail.pk)
    mail.refresh_from_db()
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example>"
    bounce["To"] = mail.reply_to
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Date"] = format_datetime(T0)
    bounce["Auto-Submitted"] = "auto-replied"
    bounce.set_content(f"Your message could not be delivered.\n\nMessage-ID: {mail.message_id}\n")
    assert mail_receive(raw=bounce.as_bytes()).outcome == "bounce"
    mail.refresh_from_db()
    assert mail.bounced_at is not None
    failed = TimelineEntry.objects.get(case=case, kind="delivery_failed")
    assert failed.about_id == mail.entry_id
    case.refresh_from_db()
    assert case.response_due_at is None


def test_html_mail_is_reduced_to_text_and_attachments_become_checked_evidence(case):
    message = EmailMessage()
    message["From"] = case.client.email
    message["To"] = reply_address(case)
    message["Subject"] = "See attached"
    message["Date"] = format_datetime(T0)
    message["Message-ID"] = "<html@client.example>"
    message.set_content("<p>Hello<script>alert(1)</script></p><p>Second <b>line</b></p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="invoice.pdf")
    message.add_attachment(b"MZ\x90\x00 not really", maintype="image", subtype="png", filename="lie.png")
    with time_machine.travel(T0, tick=False):
        assert mail_receive(raw=message.as_bytes()).outcome == "filed"
    entry = TimelineEntry.objects.get(kind="message_in")
    assert "<" not in entry.body.split("\n\n", 1)[1] and "alert(1)" not in entry.body and "Second line" in entry.body
    assert "lie.png" in entry.body and "kept only inside the raw message" in entry.body
    assert not Evidence.objects.filter(original_name="lie.png").exists()


def test_unreadable_input_is_refused_with_a_reason():
    for raw, reason in [(b"", "empty"), (b"\x00\x01binary", "not an e-mail"), (b"just some words\n", "not an e-mail")]:
        with pytest.raises(mailparse.MailUnreadable, match=reason):
            mail_receive(raw=raw)


def test_unknown_charsets_and_broken_mime_still_file_what_can_be_read(case):
    raw = (
        f"From: {case.client.email}\r\nTo: {reply_address(case)}\r\nSubject: odd\r\n"
        'Message-ID: <odd@x>\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        "--never-closed\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla\xe9\r\n"
    ).encode("latin-1")
    assert mail_receive(raw=raw).outcome == "filed"
    entry = TimelineEntry.objects.get(kind="message_in")
    assert "qapla" in entry.body and "Unknown character set" in entry.body


@pytest.mark.django_db(transaction=True)
def test_the_command_reads_standard_input_and_answers_with_sysexits(case):
    from django.core.management import call_command

    # The real command in-process (the test database), fed on stdin.
    def call(raw, *args):
        stdin, stdout = sys.stdin, io.StringIO()
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
        try:
            call_command("mail_in", *args, stdout=stdout, stderr=io.StringIO())
            return 0, stdout.getvalue()
        except SystemExit as exit_:
            return exit_.code, stdout.getvalue()
        finally:
            sys.stdin = stdin

    code, out = call(reply(case))
    assert code == 0 and out.startswith("filed")
    assert call(reply(case))[0] == 0  # a duplicate is delivered, not bounced
    stray = reply(case).replace(reply_address(case).encode(), b"reply+000000000000000000000000@settle.localhost")
    assert call(stray)[0] == 67
    assert call(b"not mail at all")[0] == 65
    # --recipient finds the case when the headers do not name it (Bcc, forwarding).
    hidden = reply(case, message_id="<bcc@x>").replace(reply_address(case).encode(), b"someone@example.com")
    assert call(hidden, "--recipient", reply_address(case))[0] == 0
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 2
