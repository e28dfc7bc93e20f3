"""The outbox against a real SMTP server: unknown after hand-over, errors kept per row, sending after commit."""

import datetime as dt
from html import escape

import pytest
import time_machine
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from disputes.models import Notification, ReminderEmail
from disputes.services.outbox import Outcome
from disputes.services.sweep import sweep_run
from disputes.services.timeline import entry_add
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def overdue_concern(case):
    with time_machine.travel(T0, tick=False):
        entry_add(case=case, author=case.owner, kind="message_in", channel="email", body="Hello?", happened_at=T0)


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return sweep_run()


def test_a_server_answering_after_the_timeout_leaves_the_mail_unknown_not_resent(case, mail_server, settings):
    mail_server.use(settings, timeout=1)
    mail_server.mode, mail_server.delay = "slow", 3
    overdue_concern(case)
    result = sweep_at(T0 + dt.timedelta(hours=25))
    assert (result.outbox.sent, result.outbox.failed, result.outbox.unknown) == (0, 0, 1)
    email = ReminderEmail.objects.get()
    assert email.status == "unknown" and email.handed_over_at is not None
    assert "may have been delivered" in email.last_error
    # It did arrive (the server kept it before answering); later sweeps send nothing more.
    mail_server.mode = "accept"
    for hours in (26, 30, 48):
        assert sweep_at(T0 + dt.timedelta(hours=hours)).outbox.sent == 0
    [received] = mail_server.received
    assert received["Message-ID"] == email.message_id


def test_a_connection_dropped_before_the_data_is_a_failure_tried_again(case, mail_server):
    mail_server.mode = "drop"
    overdue_concern(case)
    assert sweep_at(T0 + dt.timedelta(hours=25)).outbox.failed == 1
    email = ReminderEmail.objects.get()
    assert email.status == "failed" and email.handed_over_at is None and mail_server.received == []
    mail_server.mode = "accept"
    assert sweep_at(T0 + dt.timedelta(hours=25, minutes=3)).outbox.sent == 1
    assert len(mail_server.received) == 1


def test_every_message_carries_its_rows_message_id(mail_server, owner):
    for i in range(3):
        overdue_concern(CaseFactory(project__client__owner=UserFactory(email=f"u{i}@example.com")))
    sweep_at(T0 + dt.timedelta(hours=25))
    ids = set(ReminderEmail.objects.values_list("message_id", flat=True))
    assert len(ids) == 3 and all(mid.startswith("<") and mid.endswith(">") for mid in ids)
    assert {message["Message-ID"] for message in mail_server.received} == ids


def test_a_template_error_is_recorded_on_its_row_and_the_rest_of_the_sweep_goes_on(mailoutbox, monkeypatch):
    broken, fine = UserFactory(email="broken@example.com"), UserFactory(email="fine@example.com")
    overdue_concern(CaseFactory(project__client__owner=broken))
    overdue_concern(CaseFactory(project__client__owner=fine))
    from disputes.services import reminders

    real = reminders.render_to_string

    def render(template, context):
        if context["user"].email == "broken@example.com":
            raise TemplateSyntaxError("Invalid block tag: 'oops'")
        return real(template, context)

    monkeypatch.setattr(reminders, "render_to_string", render)
    result = sweep_at(T0 + dt.timedelta(hours=25))
    assert (result.outbox.sent, result.outbox.failed) == (1, 1)
    assert [m.to for m in mailoutbox] == [["fine@example.com"]]
    failed = ReminderEmail.objects.get(user=broken)
    assert failed.status == "failed" and "TemplateSyntaxError" in failed.last_error and failed.next_attempt_at


def test_a_notification_goes_out_right_after_the_commit_not_at_the_next_sweep(
    owner_client, owner, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("disputes:case_mediators", args=[case.pk]), {"email": "mia@example.com"})
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["mia@example.com"] and "invited to mediate" in mail.subject
    notification = Notification.objects.get()
    assert notification.status == "sent" and mail.extra_headers["Message-ID"] == notification.message_id
    # The sweep, the safety net, finds nothing left to send.
    assert sweep_run().outbox.sent == 0 and len(mailoutbox) == 1


def test_with_the_broker_down_the_request_still_succeeds_and_the_sweep_sends(
    owner_client, owner, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from celery import current_app

    task = current_app.tasks["disputes.tasks.send_notification"]

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(task, "apply_async", broker_down)
    case = CaseFactory(project__client__owner=owner, stage="mediation")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("disputes:case_mediators", args=[case.pk]), {"email": "mia@example.com"})
    assert response.status_code == 302 and mailoutbox == []
    assert Notification.objects.get().status == "pending"
    assert sweep_run(now=timezone.now()).outbox.sent == 1 and len(mailoutbox) == 1


def test_the_task_sent_after_commit_and_the_sweep_never_both_send(owner, mailoutbox):
    from disputes.services.notifications import notification_queue, notification_send

    row = notification_queue(
        key="once", template="disputes/email/mediator_invitation", to_email="x@example.com", subject="Hi",
        context={"invitation": None, "owner": owner, "url": "https://settle.example.com/x"},
    )  # fmt: skip
    assert notification_send(pk=row.pk) == Outcome.SENT
    assert notification_send(pk=row.pk) == Outcome.NOT_OURS
    assert sweep_run().outbox.sent == 0
    assert len(mailoutbox) == 1


def test_staff_see_the_outbox_health_and_retry_with_the_risk_spelled_out(
    client, staff, owner, case, mail_server, settings
):
    mail_server.use(settings, timeout=1)
    mail_server.mode, mail_server.delay = "slow", 3
    overdue_concern(case)
    sweep_at(T0 + dt.timedelta(hours=25))
    email = ReminderEmail.objects.get()
    assert email.status == "unknown"
    client.force_login(owner)
    assert client.get(reverse("disputes:staff_outbox")).status_code == 404  # staff only
    client.force_login(staff)
    page = client.get(reverse("disputes:staff_outbox")).content.decode()
    assert 'data-testid="unknown">1<' in page and escape(email.message_id) in page
    assert "Send again (may arrive twice)" in page
    retry = reverse("disputes:staff_outbox_retry", args=["reminder", email.pk])
    response = client.post(retry, follow=True)
    assert "could get it twice" in response.content.decode()
    email.refresh_from_db()
    assert email.status == "pending"
    assert client.post(reverse("disputes:staff_outbox_retry", args=["nothing", email.pk])).status_code == 404
