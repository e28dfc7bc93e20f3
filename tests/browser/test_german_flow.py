"""A freelancer whose browser asks for German: Settle in German from sign-up to a letter, in Chromium."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from disputes.models import Case, Client, Letter
from tests.browser.conftest import link_in_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


def test_a_german_freelancer_walks_from_sign_up_to_a_german_letter(live_server, page: Page, shot, console_errors):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/accounts/sign-up/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Ihr Settle-Konto anlegen")
    expect(page.locator("#id_time_zone")).to_have_value("Europe/Berlin")  # from the browser
    page.fill("#id_email", "frieda@example.com")
    page.fill("#id_name", "Frieda Fuchs")
    shot("de-01-sign-up")
    page.click("button:has-text('Link zuschicken')")
    expect(page.locator("h1")).to_have_text("Sehen Sie in Ihr Postfach")
    assert User.objects.get(email="frieda@example.com").language == "de"

    page.goto(link_in_mail(base, "frieda@example.com", "/accounts/sign-up/"))
    expect(page.locator("h1")).to_have_text("Passwort wählen")
    page.fill("#id_new_password1", "ein-sehr-langer-satz")
    page.fill("#id_new_password2", "ein-sehr-langer-satz")
    page.click("button:has-text('Mein Konto eröffnen')")
    expect(page.locator("h1")).to_have_text("Übersicht")
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_contain_text("Fälle")
    shot("de-02-dashboard")

    page.click("text=Ersten Kunden anlegen")
    expect(page.locator("h1")).to_have_text("Neuer Kunde")
    page.fill("#id_name", "Bäckerei Korn")
    page.fill("#id_email", "korn@example.de")
    page.select_option("#id_language", "de")
    page.select_option("#id_platform", label="Direkt")
    shot("de-03-client-form")
    page.click("button:has-text('Kunde speichern')")
    expect(page.locator("h1")).to_have_text("Bäckerei Korn")
    expect(page.get_by_test_id("client-language")).to_have_text("Deutsch")

    page.click("text=Neues Projekt")
    page.fill("#id_title", "Logo und Schilder")
    page.fill("#id_price", "1600")
    page.select_option("#id_currency", "EUR")
    page.click("button:has-text('Projekt speichern')")
    expect(page.locator("h1")).to_have_text("Logo und Schilder")
    expect(page.locator("body")).to_contain_text("1.600,00 EUR")
    expect(page.locator(".alert-success")).to_contain_text("Projekt „Logo und Schilder“ angelegt.")
    expect(page.get_by_test_id("risk-level")).to_have_text("Geringes Risiko")
    shot("de-04-project")

    page.click("a.btn:has-text('Einen Fall eröffnen')")
    expect(page.locator("h1")).to_have_text("Einen Fall eröffnen")
    page.fill("#id_title", "Schlussrate nicht bezahlt")
    page.select_option("#id_kind", "billing")
    page.fill("#id_amount_in_dispute", "1600")
    page.click("button:has-text('Fall eröffnen')")
    expect(page.locator("h1")).to_have_text("Schlussrate nicht bezahlt")
    expect(page.locator("li[aria-current=step]")).to_contain_text("Direktes Gespräch")
    expect(page.locator("body")).to_contain_text("1.600,00 EUR strittig")

    # A bad entry: the error is German and what was typed stays.
    page.select_option("#id_kind", "message_in")
    page.fill("#id_body", "Ohne Kanal")
    page.click("button:has-text('Eintrag hinzufügen')")
    expect(page.locator("#id_body")).to_have_value("Ohne Kanal")
    expect(page.locator("body")).to_contain_text("Geben Sie an, über welchen Kanal das geschah.")
    page.select_option("#id_channel", "email")
    page.fill("#id_body", "Wir zahlen erst, wenn das Logo fertig ist.")
    page.click("button:has-text('Eintrag hinzufügen')")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Nachricht vom Kunden")
    expect(timeline).to_contain_text("Wartet auf eine Antwort, fällig")
    expect(page.get_by_test_id("clock-banner")).to_contain_text("Der Kunde wartet auf eine Antwort")
    shot("de-05-case")

    page.click("text=Zahlungsaufforderung entwerfen")
    expect(page.locator("#id_subject")).to_have_value("Zahlungsaufforderung: Logo und Schilder")
    expect(page.locator("#id_body")).to_have_value(
        re.compile(r"^Guten Tag Bäckerei Korn,\n\nIch habe die für „Logo und Schilder“")
    )
    page.click("button:has-text('Entwurf speichern')")
    preview = page.locator(".letter-preview")
    expect(preview).to_contain_text("Offener Betrag: 1.600,00 EUR")
    expect(preview).to_contain_text("Zahlungsfrist:")
    expect(page.locator("body")).to_contain_text("Brief abschließen")
    shot("de-06-letter")
    letter = Letter.objects.get()
    assert letter.language == "de" and Client.objects.get().language == "de"

    # What Settle writes on the timeline is German too, and stays as written.
    case = Case.objects.get()
    page.goto(base + reverse("disputes:project_detail", args=[case.project_id]))
    page.fill("#work-stop-reason", "Rechnung seit Mai offen")
    page.get_by_test_id("work-stop").click()
    expect(page.get_by_test_id("work-stopped")).to_contain_text("Arbeit bis zur Zahlung eingestellt")
    page.goto(f"{base}{case.get_absolute_url()}")
    expect(page.locator("#timeline")).to_contain_text(
        "Arbeit an „Logo und Schilder“ bis zur Zahlung eingestellt. Rechnung seit Mai offen"
    )
    shot("de-07-timeline")

    # Switching the profile to English changes the pages, not the client's letter.
    page.goto(base + reverse("disputes:profile"))
    expect(page.locator("h1")).to_have_text("Ihr Profil")
    page.select_option("#id_language", "en")
    page.click("button:has-text('Profil speichern')")
    expect(page.locator("h1")).to_have_text("Your profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{base}{Case.objects.get().get_absolute_url()}")
    expect(page.locator("#ladder")).to_contain_text("Escalation ladder")
    page.goto(base + reverse("disputes:letter_detail", args=[letter.case_id, letter.pk]))
    expect(page.locator(".letter-preview")).to_contain_text("Offener Betrag")
    expect(page.locator("body")).to_contain_text("Finalise the letter")
    assert console_errors == []
