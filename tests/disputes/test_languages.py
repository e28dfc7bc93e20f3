"""Settle in the reader's language: the browser's or the profile's for pages, the client's for letters."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from disputes.formatting import format_duration, format_money
from disputes.models import Client, Letter
from disputes.services.letters import letter_cover_note, letter_defaults, letter_finalize
from tests.disputes.conftest import draft
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://settle.example.com"


def test_a_german_browser_gets_german_pages_before_signing_in(client):
    response = client.get(reverse("accounts:login"), **GERMAN_BROWSER)
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Bei Settle anmelden" in html and "Passwort vergessen?" in html
    assert "Sign in to Settle" not in html
    assert "Accept-Language" in response["Vary"] and response["Content-Language"] == "de"


def test_an_english_browser_gets_english(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en").content.decode()
    assert "Sign in to Settle" in html and '<html lang="en">' in html


def test_without_a_choice_the_browser_decides_and_a_choice_in_the_profile_wins(client, owner):
    client.force_login(owner)
    assert "Übersicht" in client.get(reverse("disputes:dashboard"), **GERMAN_BROWSER).content.decode()
    User.objects.filter(pk=owner.pk).update(language="en")
    response = client.get(reverse("disputes:dashboard"), **GERMAN_BROWSER)
    html = response.content.decode()
    assert "Dashboard" in html and "Übersicht" not in html
    assert "Accept-Language" not in response.get("Vary", "")  # the profile decides, not the header
    User.objects.filter(pk=owner.pk).update(language="de")
    assert "Offene Fälle" in client.get(reverse("disputes:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_signing_up_keeps_the_browsers_language_and_mails_in_it(client, mailoutbox, site):
    data = {"email": "neu@example.com", "name": "Nora", "business_name": "", "time_zone": "Europe/Berlin"}
    client.post(reverse("accounts:sign_up"), data, **GERMAN_BROWSER)
    assert User.objects.get(email="neu@example.com").language == "de"
    assert mailoutbox[0].subject == "Bestätigen Sie Ihr Settle-Konto"
    assert "Hallo Nora," in mailoutbox[0].body and "öffnen Sie diesen Link" in mailoutbox[0].body


def test_the_profile_changes_the_language_at_once(client, owner):
    client.force_login(owner)
    data = {"name": owner.name, "business_name": "", "time_zone": "UTC", "language": "de", "email_reminders": "on"}
    response = client.post(reverse("disputes:profile"), data, follow=True)
    html = response.content.decode()
    assert "Profil gespeichert." in html and "Ihr Profil" in html
    owner.refresh_from_db()
    assert owner.language == "de"
    refused = client.post(reverse("disputes:profile"), {**data, "language": "xx"})
    assert refused.status_code == 200 and "language" in refused.context["form"].errors
    owner.refresh_from_db()
    assert owner.language == "de"


def test_the_case_page_in_german_writes_money_dates_and_labels_the_german_way(client, owner):
    owner.language = "de"
    owner.save()
    case = CaseFactory(
        project__client__owner=owner, currency="EUR", project__currency="EUR", amount_in_dispute=Decimal("1600")
    )
    client.force_login(owner)
    with time_machine.travel("2026-12-06 10:00:00+00:00", tick=False):
        case.opened_at = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
        case.save()
        html = client.get(case.get_absolute_url()).content.decode()
    assert "1.600,00 EUR strittig" in html
    assert "eröffnet am 6. Dez 2026" in html
    assert "Eskalationsleiter" in html and "Direktes Gespräch" in html and "Zur Zeitleiste hinzufügen" in html
    assert "Escalation ladder" not in html
    assert "Noch keine Beweise." in html and "Beweis-Checkliste" in html  # the Jinja partials too
    owner.language = "en"
    owner.save()
    english = client.get(case.get_absolute_url()).content.decode()
    assert "No evidence yet." in english and "Noch keine Beweise." not in english  # nothing kept per process


def test_words_and_amounts_follow_the_active_language():
    with translation.override("de"):
        assert format_money(Decimal("1234.5"), "EUR") == "1.234,50 EUR"
        assert format_duration(dt.timedelta(days=2, hours=3)) == "2 Tage 3 h"
    assert format_money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"


@pytest.fixture
def german_client_case(billing_case):
    billing_case.client.language = "de"
    billing_case.client.save()
    return billing_case


def test_a_letter_to_a_german_client_is_drafted_in_german(german_client_case):
    values = letter_defaults(case=german_client_case, kind="demand")
    assert values["subject"] == "Zahlungsaufforderung: Brand identity"
    assert values["body"].startswith("Guten Tag Acme Bakery,\n\nIch habe die für „Brand identity“")
    assert "Banküberweisung" in values["payment_instructions"]
    letter = draft(german_client_case)
    assert letter.language == "de"
    assert letter_cover_note(letter, german_client_case.owner).startswith("Guten Tag Acme Bakery,")


def test_a_client_without_a_language_gets_the_freelancers(billing_case):
    owner = billing_case.owner
    owner.language = "de"
    owner.save()
    assert draft(billing_case).language == "de"
    owner.language = ""
    owner.save()
    billing_case.client.refresh_from_db()
    assert letter_defaults(case=billing_case, kind="demand")["subject"] == "Payment demand: Brand identity"


def test_the_german_letter_pdf_is_german_while_the_page_around_it_stays_english(german_client_case, client):
    letter = draft(german_client_case)
    client.force_login(german_client_case.owner)
    page = client.get(reverse("disputes:letter_detail", args=[german_client_case.pk, letter.pk])).content.decode()
    assert "Finalise the letter" in page  # the freelancer's own language
    assert "Offener Betrag" in page and "Was offen ist" in page  # the letter, in the client's
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        letter = letter_finalize(letter=letter, actor=german_client_case.owner)
    data = Path(letter.pdf.path).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Offener Betrag: 1.250,50 EUR" in text
    assert "Zahlungsfrist: 17. März 2026 (7 Tage ab dem Datum dieses Briefs)" in text
    assert "Seite 1 von" in text and "Amount owed" not in text
    assert Letter.objects.get(pk=letter.pk).language == "de"


def test_a_mail_to_an_account_is_in_the_accounts_language(client, mailoutbox, site):
    UserFactory(email="known@example.com", name="Kim", language="de")
    data = {"email": "known@example.com", "name": "", "business_name": "", "time_zone": "UTC"}
    client.post(reverse("accounts:sign_up"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Hallo Kim," in mailoutbox[0].body and "Nichts wurde geändert" in mailoutbox[0].body


def test_a_payment_reminder_to_a_german_client_is_german(german_client_case):
    from disputes.services.reminder_kit import reminder_draft

    draft_mail = reminder_draft(case=german_client_case, template="friendly", user=german_client_case.owner)
    assert draft_mail["subject"] == "Freundliche Erinnerung: Zahlung für Brand identity"
    assert draft_mail["body"].startswith("Hallo Acme Bakery,")
    assert "1.250,50 EUR" in draft_mail["body"] and "1,250.50" not in draft_mail["body"]


def test_the_reminder_e_mail_to_a_german_freelancer_is_german(owner, mailoutbox):
    from disputes.services.sweep import sweep_run
    from disputes.services.timeline import entry_add

    owner.language = "de"
    owner.save()
    case = CaseFactory(project__client__owner=owner, title="Logo")
    start = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        entry_add(case=case, author=owner, kind="message_in", channel="email", body="Hallo?", happened_at=start)
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=5), tick=False):
        sweep_run()
    [mail] = mailoutbox
    assert mail.subject == "Settle: 1 Kundenanliegen über die Antwortfrist hinaus"
    assert mail.body.startswith("Hallo Olive Owner,") and "ÜBERFÄLLIG seit 5 min" in mail.body


def test_a_service_refusal_reads_in_the_active_language(german_client_case):
    from django.core.exceptions import ValidationError

    from disputes.services.letters import letter_draft

    with translation.override("de"):
        with pytest.raises(ValidationError) as refused:
            letter_draft(case=german_client_case, author=german_client_case.owner, kind="memo", data={})
        assert refused.value.messages == ["Unbekannte Art von Brief."]  # read as a page would, in German


def test_an_offer_mailed_to_a_german_client_is_german_in_subject_body_and_terms(owner, mailoutbox):
    from disputes.models import Notification
    from disputes.services.offers import offer_make

    case = CaseFactory(
        project__client__owner=owner, project__client__email="korn@example.de", project__client__language="de",
        project__title="Logo", currency="EUR", amount_in_dispute=Decimal("1600"),
    )  # fmt: skip
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    offer_make(case=case, actor=owner, side="freelancer", amount=Decimal("1200"), currency="EUR",
               terms="Zahlung bis Freitag.", expires_on=tomorrow, email=True)  # fmt: skip
    mail = Notification.objects.get()
    assert mail.subject == "Ein Angebot zur Einigung, über Settle gesendet"
    assert mail.text.startswith(f"Hallo {case.client.name},")
    assert "1.200,00 EUR zur Einigung über „Logo“, offen bis" in mail.text
    assert "Offer" not in mail.text and "offers to settle" not in mail.text


def test_a_client_with_an_unknown_language_is_refused_and_nothing_is_saved(client, owner):
    client.force_login(owner)
    data = {"name": "Korn", "preferred_channel": "email", "platform": "direct", "time_zone": "UTC", "language": "xx"}
    response = client.post(reverse("disputes:client_create"), data)
    assert response.status_code == 200 and "language" in response.context["form"].errors
    assert not Client.objects.filter(name="Korn").exists()


def test_messages_with_names_and_numbers_in_them_read_in_german(client, owner):
    """Flash messages and refusals that carry a name or a number are whole translated sentences."""
    owner.language = "de"
    owner.save(update_fields=["language"])
    case = CaseFactory(owner=owner, project__client__owner=owner)
    case.status = "resolved"
    case.save(update_fields=["status"])
    client.force_login(owner)

    archived = client.post(reverse("disputes:case_archive", args=[case.pk]), follow=True).content.decode()
    restored = client.post(reverse("disputes:case_restore", args=[case.pk]), follow=True).content.decode()

    assert "Der Fall ist archiviert" in archived and "The case is archived" not in archived
    assert "Der Fall ist wieder in Ihren Listen." in restored
    CaseFactory(owner=owner, project=case.project, client=case.client)  # an open case keeps the client
    refused = client.post(reverse("disputes:client_archive", args=[case.client.pk]), follow=True).content.decode()
    assert "Der Kunde wurde nicht archiviert: Dieser Kunde hat 1 offenen Fall." in refused


def test_a_numbered_refusal_from_a_service_is_german(german_client_case):
    from django.core.exceptions import ValidationError

    from disputes.services.offers import offer_make

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        offer_make(
            case=german_client_case, actor=german_client_case.owner, side="freelancer", amount=Decimal("10"),
            currency="JPY" if german_client_case.currency != "JPY" else "USD", terms="x" * 5000,
            expires_on=dt.date.today() + dt.timedelta(days=400),
        )  # fmt: skip
    said = " ".join(refused.value.messages)
    assert f"Dieser Fall läuft in {german_client_case.currency}" in said
    assert "Halten Sie die Bedingungen unter" in said and "Tage offen" in said
