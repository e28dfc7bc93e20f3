"""The pages for mail with the client: compose, the reminder kit, held mail, imports, letters, the case file."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import ClientMail, Letter, ReceivedMessage, TimelineEntry
from disputes.services.letters import letter_defaults, letter_draft
from disputes.services.mail_in import mail_receive
from disputes.services.mail_out import mail_queue
from tests.disputes.test_imports import mailbox
from tests.disputes.test_mail_in import reply
from tests.factories import CaseFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

KEY = "8a4c2f6e-1b0d-4c3e-9f7a-5d6b8e9c0a1b"


def compose_url(case, query=""):
    return reverse("disputes:mail_compose", args=[case.pk]) + query


def test_the_reminder_kit_prefills_and_sending_puts_the_mail_on_the_timeline(
    owner_client, case, django_capture_on_commit_callbacks
):
    case.stage = "reminders"
    case.save()
    MilestoneFactory(project=case.project, title="Final payment", amount=Decimal("900"), due_date=dt.date(2026, 1, 5))
    page = owner_client.get(compose_url(case, "?template=firm")).content.decode()
    assert "Final payment" in page and "900.00" in page and "Payment overdue" in page
    assert owner_client.get(compose_url(case, "?template=rude")).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            compose_url(case, "?template=firm"),
            {"subject": "Payment overdue", "body": "Please pay the 900.", "template": "firm", "submission_key": KEY},
        )
    assert response.status_code == 302 and response["Location"].endswith("#mail")
    [sent] = django_mail.outbox
    assert sent.to == [case.client.email] and sent.body.startswith("Please pay the 900.")
    mail = ClientMail.objects.get()
    assert mail.purpose == "reminder" and mail.entry.kind == "message_out"
    # The same form again creates nothing.
    owner_client.post(compose_url(case), {"subject": "Payment overdue", "body": "x", "submission_key": KEY})
    assert ClientMail.objects.count() == 1
    case_page = owner_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="sent-by-settle"' in case_page and escape(mail.message_id) in case_page


def test_checking_the_tone_sends_nothing_and_shows_hints(owner_client, case):
    response = owner_client.post(
        compose_url(case), {"subject": "Re", "body": "YOU NEVER PAY ON TIME!!! This is RIDICULOUS.", "check": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "exclamation marks" in page and "Blame words" in page
    assert ClientMail.objects.count() == 0


def test_errors_stay_next_to_their_fields_and_nothing_is_lost(owner_client, case):
    response = owner_client.post(compose_url(case), {"subject": "", "body": "Keep this text"})
    assert response.status_code == 200 and "Keep this text" in response.content.decode()
    assert set(response.context["form"].errors) == {"subject"}
    past = owner_client.post(compose_url(case), {"subject": "Hi", "body": "Kept", "send_at": "2024-01-01T10:00"})
    assert "This time has passed" in past.content.decode() and "Kept" in past.content.decode()
    assert ClientMail.objects.count() == 0


def test_held_and_scheduled_mail_can_be_sent_now_or_cancelled_from_the_case(owner_client, case):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    mail = mail_queue(case=case, author=case.owner, subject="Later", body="Tomorrow", send_at=later)
    page = owner_client.get(case.get_absolute_url()).content.decode()
    assert "Scheduled for" in page and "nothing sent yet" in page
    owner_client.post(reverse("disputes:mail_cancel", args=[case.pk, mail.pk]))
    mail.refresh_from_db()
    assert mail.status == "cancelled"
    second = mail_queue(case=case, author=case.owner, subject="Later", body="Tomorrow", send_at=later)
    owner_client.post(reverse("disputes:mail_send_now", args=[case.pk, second.pk]))
    second.refresh_from_db()
    assert second.send_after <= dt.datetime.now(dt.UTC)


def test_held_incoming_mail_is_decided_on_the_case_page(owner_client, case):
    mail_receive(raw=reply(case, sender="assistant@client.example"))
    held = ReceivedMessage.objects.get(status="held")
    assert "assistant@client.example" in owner_client.get(case.get_absolute_url()).content.decode()
    owner_client.post(reverse("disputes:received_decide", args=[case.pk, held.pk, "accept"]))
    assert TimelineEntry.objects.filter(case=case, kind="message_in").count() == 1
    assert owner_client.post(reverse("disputes:received_decide", args=[case.pk, held.pk, "maybe"])).status_code == 404


def test_an_import_goes_upload_preview_apply(owner_client, case):
    upload = SimpleUploadedFile("client.mbox", mailbox(case), content_type="application/mbox")
    response = owner_client.post(reverse("disputes:mail_import", args=[case.pk]), {"file": upload, "time_zone": "UTC"})
    assert response.status_code == 302
    preview = owner_client.get(response["Location"])
    page = preview.content.decode()
    assert "Logo feedback" in page and "news@shop.example" in page and TimelineEntry.objects.count() == 0
    token = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    form = preview.context["form"]
    data = {"token": token, "time_zone": "UTC", "selected": ["0", "1", "2", "3"], "apply": "1"}
    data |= {name: form.fields[name].initial for name, _ in form.senders}
    done = owner_client.post(reverse("disputes:mail_import_preview", args=[case.pk]), data)
    assert done.status_code == 302
    assert TimelineEntry.objects.filter(case=case, kind__in=["message_in", "message_out"]).count() == 3
    # The stash is gone: the same link cannot import twice.
    again = owner_client.post(reverse("disputes:mail_import_preview", args=[case.pk]), data, follow=True)
    assert "no longer here" in again.content.decode()


def test_an_import_link_of_another_case_or_user_is_404(owner_client, client, case, outsider):
    upload = SimpleUploadedFile("client.mbox", mailbox(case))
    response = owner_client.post(reverse("disputes:mail_import", args=[case.pk]), {"file": upload, "time_zone": "UTC"})
    token = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    other = CaseFactory(project__client__owner=case.owner)
    assert (
        owner_client.get(reverse("disputes:mail_import_preview", args=[other.pk]), {"token": token}).status_code == 404
    )
    assert (
        owner_client.get(reverse("disputes:mail_import_preview", args=[case.pk]), {"token": "forged"}).status_code
        == 404
    )
    client.force_login(outsider)
    assert client.get(response["Location"]).status_code == 404


def test_a_bad_import_file_gets_a_clear_message(owner_client, case):
    upload = SimpleUploadedFile("notes.txt", b"milk\neggs\n")
    response = owner_client.post(
        reverse("disputes:mail_import", args=[case.pk]), {"file": upload, "time_zone": "UTC"}, follow=True
    )
    assert "Nothing was imported" in response.content.decode() and TimelineEntry.objects.count() == 0


def test_a_letter_sent_by_settle_says_so_only_once_the_server_accepted_it(
    owner_client, case, django_capture_on_commit_callbacks
):
    letter = letter_draft(case=case, author=case.owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    url = reverse("disputes:letter_finalize", args=[case.pk, letter.pk])
    with django_capture_on_commit_callbacks(execute=False):
        owner_client.post(url, {"delivery": "settle", "cover_note": "Dear client, see the letter."})
    letter.refresh_from_db()
    page = owner_client.get(reverse("disputes:letter_detail", args=[case.pk, letter.pk])).content.decode()
    assert letter.is_final and letter.sent_on is None and "not sent yet" in page
    ClientMail.objects.get(letter=letter)
    from disputes.services.mail_out import mail_send

    mail_send(pk=letter.mail.pk)
    letter.refresh_from_db()
    page = owner_client.get(reverse("disputes:letter_detail", args=[case.pk, letter.pk])).content.decode()
    assert "sent by Settle by e-mail" in page and letter.deadline is not None
    [sent] = django_mail.outbox
    assert sent.body.startswith("Dear client, see the letter.") and sent.attachments[0][2] == "application/pdf"


def test_a_letter_recorded_as_sent_by_the_freelancer_asks_for_a_real_day(owner_client, case):
    letter = letter_draft(case=case, author=case.owner, kind="demand", data=letter_defaults(case=case, kind="demand"))
    url = reverse("disputes:letter_finalize", args=[case.pk, letter.pk])
    response = owner_client.post(
        url, {"delivery": "recorded", "sent_on": "2099-01-01", "channel": "letter"}, follow=True
    )
    assert "not finalised" in response.content.decode()
    assert Letter.objects.get().status == "draft" and ClientMail.objects.count() == 0


def test_the_case_file_lists_every_mail_sent_with_its_message_id(owner_client, case):
    mail = mail_queue(case=case, author=case.owner, subject="Invoice", body="Please pay.")
    from disputes.services.mail_out import mail_send

    mail_send(pk=mail.pk)
    mail.refresh_from_db()
    response = owner_client.get(reverse("disputes:casefile_export", args=[case.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    [listed] = manifest["mails_sent"]
    assert listed["message_id"] == mail.message_id and listed["message_sha256"] == mail.raw_sha256
    eml = [name for name in archive.namelist() if name.endswith(".eml")]
    assert len(eml) == 1 and mail.message_id.encode() in archive.read(eml[0])


def test_an_import_over_the_size_limit_is_refused_on_the_form(owner_client, case, settings):
    settings.IMPORT_MAX_BYTES = 2048
    upload = SimpleUploadedFile("huge.mbox", b"From x\n" + b"a" * 4096)
    response = owner_client.post(reverse("disputes:mail_import", args=[case.pk]), {"file": upload, "time_zone": "UTC"})
    assert response.status_code == 200 and "larger than" in response.content.decode()
    assert TimelineEntry.objects.count() == 0


def test_the_composer_holds_a_draft_for_the_chosen_delay(owner_client, case):
    page = owner_client.get(compose_url(case)).content.decode()
    assert 'name="hold_minutes"' in page and "Hold 15 minutes" in page
    data = {"subject": "About the logo", "body": "Here is what I can do.", "hold_minutes": "15", "submission_key": KEY}
    response = owner_client.post(compose_url(case), data, follow=True)
    assert "Held for 15 minutes to cool off as you chose: nothing has been sent yet." in response.content.decode()
    mail = ClientMail.objects.get(case=case)
    assert mail.held and round((mail.send_after - mail.created_at).total_seconds()) == 15 * 60
    refused = owner_client.post(compose_url(case), {**data, "hold_minutes": "7", "submission_key": KEY[::-1]})
    assert refused.status_code == 200 and ClientMail.objects.filter(case=case).count() == 1
