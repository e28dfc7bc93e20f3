"""The sweep: flags and e-mails exactly once, across time, failures and crashes."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import Concern, Reminder, ReminderEmail
from disputes.services.outbox import Outcome
from disputes.services.reminders import reminder_email_retry, reminder_email_send
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, UserFactory
from tests.services import require_postgres

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)  # a message arrives at 10:00


def message_at(case, when, kind="message_in"):
    with time_machine.travel(when, tick=False):
        return entry_add(case=case, author=case.owner, kind=kind, channel="email", body="Hello?", happened_at=when)


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return sweep_run()


@pytest.mark.django_db
def test_a_day_in_the_life_of_one_concern(case, mailoutbox):
    """10:00 message; due soon from 06:00 next day (4 h left); overdue from 10:00."""
    message_at(case, T0)
    assert sweep_at(T0 + dt.timedelta(hours=19, minutes=59)).concerns.due_soon == 0
    assert mailoutbox == []

    result = sweep_at(T0 + dt.timedelta(hours=20, minutes=1))
    assert (result.concerns.due_soon, result.concerns.overdue, result.outbox.sent) == (1, 0, 1)
    assert "due soon" in mailoutbox[-1].subject

    result = sweep_at(T0 + dt.timedelta(hours=23, minutes=59))  # 09:59 next day
    assert (result.concerns.due_soon, result.concerns.overdue, result.outbox.sent) == (0, 0, 0)

    result = sweep_at(T0 + dt.timedelta(hours=24, minutes=5))  # 10:05 next day
    assert (result.concerns.overdue, result.outbox.sent) == (1, 1)
    assert "past the response window" in mailoutbox[-1].subject
    concern = Concern.objects.get()
    assert concern.overdue_flagged_at == T0 + dt.timedelta(hours=24, minutes=5)

    result = sweep_at(T0 + dt.timedelta(hours=24, minutes=10))
    assert (result.concerns.due_soon, result.concerns.overdue, result.outbox.sent) == (0, 0, 0)
    assert len(mailoutbox) == 2
    assert Reminder.objects.count() == 2


@pytest.mark.django_db
def test_with_no_due_soon_window_only_the_overdue_flag_comes(case, mailoutbox, settings):
    settings.DUE_SOON_HOURS = 0
    message_at(case, T0)
    assert sweep_at(T0 + dt.timedelta(hours=23, minutes=59)).concerns.overdue == 0
    assert mailoutbox == []
    assert sweep_at(T0 + dt.timedelta(hours=24, minutes=5)).concerns.overdue == 1
    assert len(mailoutbox) == 1
    assert sweep_at(T0 + dt.timedelta(hours=24, minutes=10)).concerns.overdue == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_exactly_at_the_deadline_it_is_overdue(case, mailoutbox, settings):
    settings.DUE_SOON_HOURS = 0
    message_at(case, T0)
    assert sweep_at(T0 + dt.timedelta(hours=24)).concerns.overdue == 1


@pytest.mark.django_db
def test_a_reply_before_the_deadline_means_no_reminder(case, mailoutbox):
    message_at(case, T0)
    message_at(case, T0 + dt.timedelta(hours=2), kind="message_out")
    result = sweep_at(T0 + dt.timedelta(days=3))
    assert (result.concerns.due_soon, result.concerns.overdue) == (0, 0) and mailoutbox == []


@pytest.mark.django_db
def test_concerns_on_closed_cases_are_not_flagged(case, mailoutbox):
    from disputes.services.cases import case_move

    message_at(case, T0)
    case_move(case=case, actor=case.owner, move="resolve", reason="paid", outcome="paid_in_full")
    assert sweep_at(T0 + dt.timedelta(days=3)).concerns.overdue == 0


@pytest.mark.django_db
def test_one_email_per_user_per_sweep_listing_every_concern(mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    cases = [CaseFactory(project__client__owner=alice, title=f"Alice case {i}") for i in range(3)]
    cases.append(CaseFactory(project__client__owner=bob, title="Bob case"))
    for case in cases:
        message_at(case, T0)
    result = sweep_at(T0 + dt.timedelta(hours=25))
    assert (result.concerns.overdue, result.concerns.emails_created, result.outbox.sent) == (4, 2, 2)
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {"alice@example.com", "bob@example.com"}
    alice_mail = by_recipient["alice@example.com"]
    for i in range(3):
        assert f"Alice case {i}" in alice_mail.body
    assert "Bob case" not in alice_mail.body
    assert f"https://settle.example.com/cases/{cases[0].pk}/" in alice_mail.body
    assert "Waiting 1 day 1 h" in alice_mail.body
    html, mimetype = alice_mail.alternatives[0]
    assert mimetype == "text/html" and "Alice case 1" in html


@pytest.mark.django_db
def test_users_who_turned_reminders_off_get_flags_but_no_email(case, mailoutbox):
    case.owner.email_reminders = False
    case.owner.save()
    message_at(case, T0)
    result = sweep_at(T0 + dt.timedelta(hours=25))
    assert result.concerns.overdue == 1 and mailoutbox == [] and not ReminderEmail.objects.exists()
    assert Reminder.objects.get().email is None


@pytest.mark.django_db
def test_no_header_injection_and_markup_is_escaped(mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    owner = UserFactory(email="owner@example.com", name="Ow\r\nBcc: victim@example.com")
    case = CaseFactory(
        project__client__owner=owner,
        project__client__name="Evil\r\nBcc: spy@example.com",
        title='Case\nSubject: hacked <script>alert("x")</script>',
    )
    message_at(case, T0)
    sweep_at(T0 + dt.timedelta(hours=25))
    [sent] = mailoutbox
    assert sent.to == ["owner@example.com"] and sent.bcc == [] and sent.cc == []
    assert "\n" not in sent.subject and "Evil" not in sent.subject and "hacked" not in sent.subject
    headers = sent.message().as_string().split("\n\n", 1)[0]
    assert "Bcc" not in headers and "spy@example.com" not in headers and "victim" not in headers
    assert "Evil" in sent.body  # the text is there, as body text
    html = sent.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_links_come_from_site_url_not_the_request(case, mailoutbox, settings, client):
    settings.SITE_URL = "https://settle.example.com"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    client.force_login(case.owner)
    with time_machine.travel(T0, tick=False):
        client.post(
            f"/cases/{case.pk}/entries/",
            {"kind": "message_in", "channel": "email", "body": "x"},
            HTTP_HOST="evil.example",
        )
    sweep_at(T0 + dt.timedelta(hours=25))
    assert "evil.example" not in mailoutbox[0].body
    assert "https://settle.example.com/cases/" in mailoutbox[0].body


@pytest.mark.django_db
def test_after_two_days_of_downtime_the_first_sweep_catches_up_once(mailoutbox):
    user = UserFactory()
    cases = [CaseFactory(project__client__owner=user) for _ in range(6)]
    # Messages spread over two days while nothing ran.
    times = [T0 + dt.timedelta(hours=h) for h in (0, 8, 20, 30, 44, 47)]
    for case, when in zip(cases, times, strict=True):
        message_at(case, when)
    now = T0 + dt.timedelta(hours=48)
    result = sweep_at(now)
    # Due by now: received at 0, 8, 20 (due 24, 32, 44). Due soon (< 4 h left): received at 30? due 54: no.
    # received 44 → due 68, 47 → due 71: not due soon either.
    assert (result.concerns.overdue, result.concerns.due_soon, result.outbox.sent) == (3, 0, 1)
    [sent] = mailoutbox
    assert sent.body.count("OVERDUE") == 3
    assert sweep_at(now + dt.timedelta(minutes=5)).concerns.overdue == 0
    assert len(mailoutbox) == 1
    # Those past their deadline got no due-soon reminder, ever.
    assert not Reminder.objects.filter(kind="due_soon").exists()
    assert Counter(Reminder.objects.values_list("concern_id", flat=True)).most_common(1)[0][1] == 1


@pytest.mark.django_db
def test_a_refused_or_dropped_send_is_recorded_and_retried_with_back_off(case, mail_server):
    mail_server.mode = "refuse"  # the server answers the finished message with 451
    message_at(case, T0)
    first = T0 + dt.timedelta(hours=25)
    result = sweep_at(first)
    assert (result.outbox.sent, result.outbox.failed) == (0, 1)
    email = ReminderEmail.objects.get()
    assert email.status == "failed" and "451" in email.last_error and email.attempts == 1
    assert email.next_attempt_at == first + dt.timedelta(minutes=2)
    # Too early for another try.
    assert sweep_at(first + dt.timedelta(minutes=1)).outbox.failed == 0
    mail_server.mode = "drop"  # this time the connection drops before any message data
    assert sweep_at(first + dt.timedelta(minutes=2)).outbox.failed == 1  # second failure, next in 4 min
    email.refresh_from_db()
    assert email.attempts == 2 and email.next_attempt_at == first + dt.timedelta(minutes=6)
    assert "SMTP" in email.last_error and email.handed_over_at is None
    mail_server.mode = "accept"
    assert sweep_at(first + dt.timedelta(minutes=6)).outbox.sent == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.last_error == ""
    [received] = mail_server.received  # the refused try was not kept by the server
    assert received["Message-ID"] == email.message_id
    assert sweep_at(first + dt.timedelta(hours=5)).outbox.sent == 0


@pytest.mark.django_db
def test_retries_are_bounded(case, mail_server, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    mail_server.mode = "refuse"
    message_at(case, T0)
    moment = T0 + dt.timedelta(hours=25)
    for _ in range(10):
        sweep_at(moment)
        moment += dt.timedelta(hours=1)
    email = ReminderEmail.objects.get()
    assert email.status == "failed" and email.attempts == 3 and email.next_attempt_at is None
    # Staff can still retry it by hand, once more.
    assert reminder_email_retry(email=email, now=moment)
    mail_server.mode = "accept"
    assert sweep_at(moment).outbox.sent == 1


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


@pytest.mark.django_db
def test_a_worker_dying_before_handing_over_is_sent_again_once_its_lease_ends(case, mailoutbox, monkeypatch, settings):
    message_at(case, T0)

    def die(message, *, on_handover):
        raise WorkerKilled

    monkeypatch.setattr("disputes.services.outbox.deliver", die)
    with pytest.raises(WorkerKilled):
        sweep_at(T0 + dt.timedelta(hours=25))
    email = ReminderEmail.objects.get()
    assert email.status == "sending" and email.attempts == 1 and email.handed_over_at is None
    monkeypatch.undo()
    # While the lease holds, nobody touches it (its worker may be alive and slow).
    assert sweep_at(T0 + dt.timedelta(hours=25, seconds=settings.OUTBOX_LEASE_SECONDS - 1)).outbox.sent == 0
    # Once it has run out, the sweep takes it back and, since nothing was handed over, sends it.
    result = sweep_at(T0 + dt.timedelta(hours=25, seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert (result.outbox.reclaimed, result.outbox.sent) == (1, 1)
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2


@pytest.mark.django_db
def test_a_worker_dying_after_handing_over_is_never_resent_on_its_own(case, mailoutbox, monkeypatch, settings):
    message_at(case, T0)

    def hand_over_then_die(message, *, on_handover):
        on_handover()
        raise WorkerKilled

    monkeypatch.setattr("disputes.services.outbox.deliver", hand_over_then_die)
    with pytest.raises(WorkerKilled):
        sweep_at(T0 + dt.timedelta(hours=25))
    monkeypatch.undo()
    later = T0 + dt.timedelta(hours=25, seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    result = sweep_at(later)
    assert (result.outbox.reclaimed, result.outbox.sent) == (1, 0)
    email = ReminderEmail.objects.get()
    assert email.status == "unknown" and "may have been delivered" in email.last_error
    assert sweep_at(later + dt.timedelta(days=1)).outbox.sent == 0 and mailoutbox == []
    # Staff decide: a retry sends it (possibly a second time, with the same Message-ID).
    assert reminder_email_retry(email=email, now=later + dt.timedelta(days=1))
    assert sweep_at(later + dt.timedelta(days=1)).outbox.sent == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == email.message_id


@pytest.mark.django_db
def test_sent_emails_cannot_be_retried_or_sent_twice(case, mailoutbox):
    message_at(case, T0)
    sweep_at(T0 + dt.timedelta(hours=25))
    email = ReminderEmail.objects.get()
    assert email.status == "sent"
    assert not reminder_email_retry(email=email)
    assert reminder_email_send(email_id=email.pk) == Outcome.NOT_OURS
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_admin_retry_action(case, admin_client, mail_server):
    mail_server.mode = "refuse"
    message_at(case, T0)
    sweep_at(T0 + dt.timedelta(hours=25))
    email = ReminderEmail.objects.get()
    response = admin_client.post(
        "/admin/disputes/reminderemail/", {"action": "retry", "_selected_action": [email.pk]}, follow=True
    )
    assert "queued again" in response.content.decode()
    email.refresh_from_db()
    assert email.status == "pending"
    assert admin_client.get(f"/admin/disputes/reminderemail/{email.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_the_sweep_query_count_does_not_grow_with_messages(mailoutbox):
    def run(answered_pairs: int, due: int) -> int:
        user = UserFactory()
        for _ in range(due):
            message_at(CaseFactory(project__client__owner=user), T0)
        busy = CaseFactory(project__client__owner=user)
        for i in range(answered_pairs):
            message_at(busy, T0 + dt.timedelta(minutes=2 * i))
            message_at(busy, T0 + dt.timedelta(minutes=2 * i + 1), kind="message_out")
        with time_machine.travel(T0 + dt.timedelta(days=2), tick=False), CaptureQueriesContext(connection) as q:
            result = sweep_run()
        assert result.concerns.overdue == due
        return len(q)

    small = run(answered_pairs=5, due=3)
    Reminder.objects.all().delete()
    ReminderEmail.objects.all().delete()
    Concern.objects.update(state="answered")
    large = run(answered_pairs=150, due=3)
    assert small == large, (small, large)


@pytest.mark.django_db
def test_the_management_command_runs_the_same_sweep(case, mailoutbox, capsys):
    message_at(case, T0)
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        call_command("sweep")
    assert "Concerns: 1 overdue" in capsys.readouterr().out
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_sweeps_on_postgres_flag_500_concerns_exactly_once():
    require_postgres()
    users = [UserFactory() for _ in range(20)]
    for i in range(500):
        message_at(CaseFactory(project__client__owner=users[i % 20]), T0)
    assert Concern.objects.filter(state="open").count() == 500
    mail.outbox = []
    barrier = threading.Barrier(10)
    results = []

    def sweep():
        try:
            barrier.wait()
            with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
                results.append(sweep_run())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    assert sum(r.concerns.overdue for r in results) == 500
    assert Concern.objects.filter(overdue_flagged_at__isnull=False).count() == 500
    assert Reminder.objects.count() == 500
    # One e-mail per user per sweep, no more; every e-mail sent exactly once.
    per_user_sweep = Counter(ReminderEmail.objects.values_list("user_id", "sweep"))
    assert max(per_user_sweep.values()) == 1
    assert ReminderEmail.objects.filter(status="sent").count() == ReminderEmail.objects.count() == len(mail.outbox)
    assert sum(r.outbox.sent for r in results) == len(mail.outbox)
    # Each concern is listed in exactly one e-mail.
    assert Reminder.objects.filter(email__isnull=True).count() == 0
    listed = sum(message.body.count("OVERDUE") for message in mail.outbox)
    assert listed == 500
