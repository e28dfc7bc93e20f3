"""Mail to the client: sent through a real SMTP server, recorded only once accepted, with proof of what went."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from disputes.models import ClientMail, Evidence, Letter, TimelineEntry
from disputes.services.common import NotYours
from disputes.services.evidence import EvidenceDetails, evidence_add
from disputes.services.letters import letter_defaults, letter_draft, letter_finalize
from disputes.services.mail_out import (
    mail_cancel,
    mail_queue,
    mail_record,
    mail_send,
    mail_send_now,
    reply_address,
)
from disputes.services.reminder_kit import reminder_draft, reminder_suggestions
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.conftest import png_bytes
from tests.factories import CaseFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def queue(case, **kwargs):
    kwargs.setdefault("subject", "About the invoice")
    kwargs.setdefault("body", "Hello,\n\nthe invoice is attached.\n\nOlive")
    return mail_queue(case=case, author=case.owner, **kwargs)


def test_a_mail_goes_through_the_server_and_the_timeline_holds_exactly_what_was_sent(case, mail_server):
    [photo] = evidence_add(
        case=case,
        author=case.owner,
        uploads=[SimpleUploadedFile("proof.png", png_bytes())],
        details=EvidenceDetails(kind="screenshot"),
    )
    with time_machine.travel(T0, tick=False):
        mail = queue(case, attachments=[photo])
        assert not TimelineEntry.objects.filter(case=case, kind="message_out").exists()  # nothing claimed yet
        assert mail_send(pk=mail.pk).value == "sent"
    mail.refresh_from_db()
    [(mail_from, rcpt, raw)] = mail_server.envelopes
    assert mail_from == mail.reply_to == reply_address(case) and rcpt == [case.client.email]
    # The bytes the server received are the bytes fingerprinted and kept.
    assert hashlib.sha256(raw).hexdigest() == mail.raw_sha256
    entry = mail.entry
    assert entry.kind == "message_out" and entry.channel == "email" and entry.happened_at == mail.sent_at == T0
    assert mail.message_id in entry.body and mail.raw_sha256 in entry.body
    assert entry.body.endswith(mail.body)
    [attached] = mail.attached
    assert attached["sha256"] in entry.body and attached["name"].endswith(".png")
    kept = Evidence.objects.get(entry=entry, kind="email")
    with kept.file.open("rb") as stored:
        assert stored.read() == raw
    [received] = mail_server.received
    assert received["Reply-To"] == mail.reply_to and "via Settle" in received["From"]


def test_the_reply_address_is_per_case_unguessable_and_stable(owner):
    first, second = CaseFactory(project__client__owner=owner), CaseFactory(project__client__owner=owner)
    address = reply_address(first)
    assert address == reply_address(first) != reply_address(second)
    token = address.split("+", 1)[1].split("@")[0]
    assert len(token) == 24 and int(token, 16) >= 0


def test_a_refused_mail_is_not_on_the_timeline_and_the_clock_keeps_running(case, mail_server):
    with time_machine.travel(T0, tick=False):
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="Where is it?")
    case.refresh_from_db()
    due = case.response_due_at
    mail_server.mode = "refuse"
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        mail = queue(case)
        assert mail_send(pk=mail.pk).value == "failed"
    case.refresh_from_db()
    assert case.response_due_at == due and not ClientMail.objects.get().entry_id
    mail_server.mode = "accept"
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        sweep_run()
    case.refresh_from_db()
    mail = ClientMail.objects.get()
    assert mail.entry_id and case.response_due_at is None  # the real sending answered the client


def test_recording_twice_writes_one_entry(case, mail_server):
    mail = queue(case)
    mail_send(pk=mail.pk)
    assert mail_record(mail.pk) is None
    sweep_run()
    assert TimelineEntry.objects.filter(case=case, kind="message_out").count() == 1


def test_bad_input_is_refused_before_anything_is_written(case, outsider, settings):
    other = CaseFactory()
    [foreign] = evidence_add(
        case=other,
        author=other.owner,
        uploads=[SimpleUploadedFile("x.png", png_bytes())],
        details=EvidenceDetails(kind="photo"),
    )
    [big] = evidence_add(
        case=case,
        author=case.owner,
        uploads=[SimpleUploadedFile("big.png", png_bytes((400, 400)))],
        details=EvidenceDetails(kind="photo"),
    )
    settings.MAIL_MAX_BYTES = big.size - 1
    cases = [
        ({"attachments": [big]}, "attachments"),
        ({"subject": ""}, "subject"),
        ({"body": "  "}, "body"),
        ({"attachments": [foreign]}, "attachments"),
        ({"send_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "send_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as raised:
            queue(case, **kwargs)
        assert field in raised.value.message_dict
    with pytest.raises(NotYours):
        mail_queue(case=case, author=outsider, subject="x", body="y")
    case.client.email = ""
    case.client.save()
    with pytest.raises(ValidationError, match="no e-mail address"):
        queue(case)
    assert ClientMail.objects.count() == 0


def test_a_reply_right_after_a_heated_message_is_held_and_send_now_releases_it(case, settings):
    settings.MAIL_HOLD_MINUTES = 15
    with time_machine.travel(T0, tick=False):
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="This is UNACCEPTABLE!!!")
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        mail = queue(case)
    assert mail.held and mail.send_after == T0 + dt.timedelta(minutes=20)
    with time_machine.travel(T0 + dt.timedelta(minutes=6), tick=False):
        assert mail_send(pk=mail.pk).value == "not_ours"  # not due yet
        assert mail_send_now(mail=mail, actor=case.owner)
        assert mail_send(pk=mail.pk).value == "sent"
    assert not mail_send_now(mail=mail, actor=case.owner)


def test_a_calm_message_is_not_held_and_a_late_reply_is_not_held(case):
    with time_machine.travel(T0, tick=False):
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="Any news on the logo?")
        assert not queue(case).held
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="YOU ALWAYS DO THIS!!!")
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        assert not queue(case, subject="Later").held


def test_a_scheduled_mail_waits_and_can_be_cancelled(case, mail_server):
    with time_machine.travel(T0, tick=False):
        mail = queue(case, send_at=T0 + dt.timedelta(days=1))
        sweep_run()
    assert mail_server.received == []
    assert mail_cancel(mail=mail, actor=case.owner)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        sweep_run()
    assert mail_server.received == [] and ClientMail.objects.get().status == "cancelled"


def test_one_reminder_a_day_per_client(case):
    with time_machine.travel(T0, tick=False):
        queue(case, purpose="reminder", template="friendly")
        with pytest.raises(ValidationError, match="one a day"):
            queue(case, purpose="reminder", template="firm")
        # Another day is fine; an ordinary message is never limited.
        queue(case, purpose="reminder", template="firm", send_at=T0 + dt.timedelta(days=1))
        queue(case, subject="Just a note")
    assert ClientMail.objects.count() == 3


def test_the_reminder_kit_fills_unpaid_milestones_and_suggests_days(case):
    MilestoneFactory(project=case.project, title="Logo", amount=Decimal("400"), due_date=dt.date(2026, 5, 20))
    MilestoneFactory(project=case.project, title="Paid one", amount=Decimal("100"), paid_on=dt.date(2026, 5, 1))
    with time_machine.travel(T0, tick=False):
        for template in ("friendly", "firm", "last"):
            draft = reminder_draft(case=case, template=template, user=case.owner)
            assert "Logo" in draft["body"] and "400.00" in draft["body"] and "Paid one" not in draft["body"]
        [suggestion] = reminder_suggestions(case=case, user=case.owner)
    assert [day for day, _ in suggestion["dates"]] == [dt.date(2026, 5, 20), dt.date(2026, 5, 23), dt.date(2026, 5, 27)]
    assert all(not ahead for _, ahead in suggestion["dates"])  # all before 1 June
    with pytest.raises(ValidationError):
        reminder_draft(case=case, template="rude", user=case.owner)


class TestLetters:
    def draft(self, case):
        return letter_draft(case=case, author=case.owner, kind="demand", data=letter_defaults(case=case, kind="demand"))

    def test_a_letter_settle_sends_starts_its_deadline_when_the_server_accepts_it(self, case, mail_server):
        with time_machine.travel(T0, tick=False):
            letter = letter_finalize(letter=self.draft(case), actor=case.owner, delivery=Letter.Delivery.SETTLE)
        assert letter.is_final and letter.sent_on is None and letter.deadline is None
        assert not TimelineEntry.objects.filter(case=case, kind="message_out").exists()
        sent = T0 + dt.timedelta(days=2, hours=3)
        with time_machine.travel(sent, tick=False):
            sweep_run()
        letter.refresh_from_db()
        assert letter.sent_at == sent and letter.sent_on == dt.date(2026, 6, 3)
        assert letter.deadline == dt.date(2026, 6, 10)
        [received] = mail_server.received
        pdfs = [part for part in received.walk() if part.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1 and hashlib.sha256(pdfs[0].get_payload(decode=True)).hexdigest() == letter.sha256
        assert letter.entry.kind == "message_out" and letter.sha256 in letter.entry.body

    def test_a_letter_recorded_as_sent_by_the_freelancer_runs_from_the_given_day(self, case):
        with time_machine.travel(T0, tick=False):
            letter = letter_finalize(
                letter=self.draft(case), actor=case.owner, sent_on=dt.date(2026, 5, 29), channel="letter"
            )
        assert letter.delivery == "recorded" and letter.deadline == dt.date(2026, 6, 5)
        assert ClientMail.objects.count() == 0
        with time_machine.travel(T0, tick=False), pytest.raises(ValidationError, match="future"):
            letter_finalize(letter=self.draft(case), actor=case.owner, sent_on=dt.date(2026, 6, 2))


def test_an_entry_for_a_mail_settle_sent_cannot_be_corrected(case, mail_server):
    from disputes.services.timeline import entry_correct

    mail = queue(case)
    mail_send(pk=mail.pk)
    mail.refresh_from_db()
    with pytest.raises(ValidationError, match="Settle sent"):
        entry_correct(original=mail.entry, author=case.owner, body="I really said something else", channel="email")


def test_a_chosen_hold_keeps_a_calm_reply_back_and_refuses_odd_holds(case):
    with time_machine.travel(T0, tick=False):
        mail = queue(case, hold_minutes=20)
        assert mail.held and mail.send_after == T0 + dt.timedelta(minutes=20)
        assert mail_send(pk=mail.pk).value == "not_ours"  # the hold is kept: not due yet
        for bad in (0, -5, 121):
            with pytest.raises(ValidationError, match="between 1 and 120"):
                queue(case, subject=f"Hold {bad}", hold_minutes=bad)
        with pytest.raises(ValidationError, match="not both"):
            queue(case, subject="Both", hold_minutes=15, send_at=T0 + dt.timedelta(hours=3))
    assert ClientMail.objects.filter(case=case).count() == 1
