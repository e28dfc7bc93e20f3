import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "New.Person@Example.com",
    "name": "New Person",
    "business_name": "NP Studio",
    "time_zone": "Europe/Berlin",
}


def confirmation_link(mail) -> str:
    return re.search(r"https://settle\.example\.com(/accounts/sign-up/\S+/)", mail.body).group(1)


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://settle.example.com"


def test_sign_up_sends_a_link_then_the_password_is_chosen_and_the_account_opens(client, mailoutbox, site):
    response = client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert response["Location"] == reverse("accounts:sign_up_sent")
    user = User.objects.get()
    assert user.email == "new.person@example.com" and user.time_zone == "Europe/Berlin"
    assert not user.is_active and not user.has_usable_password() and SESSION_KEY not in client.session
    [mail] = mailoutbox
    assert mail.to == ["new.person@example.com"] and mail.subject == "Confirm your Settle account"
    link = confirmation_link(mail)
    page = client.get(link)
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    short = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 200 and "too short" in short.content.decode()
    done = client.post(link, {"new_password1": "correct-horse-battery", "new_password2": "correct-horse-battery"})
    assert done["Location"] == reverse("disputes:dashboard")
    user.refresh_from_db()
    assert user.is_active and user.check_password("correct-horse-battery")
    assert client.session[SESSION_KEY] == str(user.pk)
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404


def test_sign_up_answers_the_same_for_an_address_that_has_an_account(client, mailoutbox, site):
    UserFactory(email="taken@example.com", name="Tara")
    fresh = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "email": "fresh@example.com"}, follow=True)
    mailoutbox.clear()
    taken = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "email": "TAKEN@example.com"}, follow=True)
    assert fresh.redirect_chain == taken.redirect_chain == [(reverse("accounts:sign_up_sent"), 302)]

    def page(response, address):
        return response.content.decode().replace(address, "ADDRESS").replace("fresh@example.com", "ADDRESS")

    assert page(fresh, "fresh@example.com") == page(taken, "taken@example.com")
    # The owner is told, and nothing about the account changed.
    [note] = mailoutbox
    assert note.to == ["taken@example.com"] and "already has one" in note.body
    assert "sign-up/" not in note.body and User.objects.get(email="taken@example.com").check_password(PASSWORD)
    assert User.objects.count() == 2


def test_a_second_request_resends_the_link_but_not_more_than_once_in_ten_minutes(client, mailoutbox, site):
    client.post(reverse("accounts:sign_up"), SIGN_UP)
    client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert len(mailoutbox) == 2 and User.objects.count() == 1


def test_a_tampered_or_old_link_does_not_work(client, mailoutbox, site):
    client.post(reverse("accounts:sign_up"), SIGN_UP)
    link = confirmation_link(mailoutbox[0])
    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get("/accounts/sign-up/Zm9v/abc/").status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        assert client.get(link).status_code == 404


def test_the_link_goes_back_to_where_the_person_came_from_on_this_site_only(client, mailoutbox, site):
    client.post(reverse("accounts:sign_up") + "?next=/mediation/invitations/abc/", SIGN_UP)
    link = confirmation_link(mailoutbox[0])
    assert "next=%2Fmediation%2Finvitations%2Fabc%2F" in mailoutbox[0].body
    done = client.post(
        link + "?next=/mediation/invitations/abc/",
        {"new_password1": "correct-horse-battery", "new_password2": "correct-horse-battery"},
    )
    assert done["Location"] == "/mediation/invitations/abc/"
    client.logout()
    evil = client.get(reverse("accounts:sign_up") + "?next=https://evil.example/").context["next"]
    assert evil == ""


def test_a_mail_server_that_fails_is_not_shown_and_not_a_500(client, settings, site):
    from tests.mailserver import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    response = client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert response["Location"] == reverse("accounts:sign_up_sent")


def test_unconfirmed_accounts_are_forgotten_after_a_week(client, mailoutbox, site):
    from accounts.services import unconfirmed_accounts_purge

    client.post(reverse("accounts:sign_up"), SIGN_UP)
    confirmed = UserFactory(email="real@example.com")
    assert unconfirmed_accounts_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert unconfirmed_accounts_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert list(User.objects.all()) == [confirmed]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"email": "nope"}, "Write an e-mail address"), ({"time_zone": "Mars/Base"}, "Pick a time zone from")],
)
def test_sign_up_errors_keep_the_input(client, change, message):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, **change})
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "NP Studio" in html
    assert not User.objects.exists()


def test_login_by_email_any_case_rotates_the_session(client):
    user = UserFactory(email="me@example.com")
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(reverse("accounts:login"), {"username": "ME@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before


def test_login_redirect_stays_on_the_site(client):
    UserFactory(email="me@example.com")
    data = {"username": "me@example.com", "password": PASSWORD, "next": "https://evil.example/phish"}
    response = client.post(reverse("accounts:login"), data)
    assert response["Location"] == reverse("disputes:dashboard")
    response = client.post(reverse("accounts:login"), {**data, "next": "/cases/"})
    assert response["Location"] == "/cases/"


def test_logout_is_post_only_and_clears_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    client.post(reverse("accounts:logout"))
    assert SESSION_KEY not in client.session


def test_password_reset_link_uses_the_site_url_not_the_host_header(client, mailoutbox, settings):
    settings.SITE_URL = "https://settle.example.com"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    UserFactory(email="me@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "me@example.com"}, HTTP_HOST="evil.example")
    [mail] = mailoutbox
    assert "evil.example" not in mail.body
    link = re.search(r"https://settle\.example\.com(/accounts/password/reset/\S+/)", mail.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    new = "brand-new-secret-phrase"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert User.objects.get().check_password(new)


def test_password_reset_for_an_unknown_address_sends_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and mailoutbox == []


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-phrase", "new_password2": "another-long-phrase"},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("another-long-phrase")


def test_profile_sets_time_zone_and_reminders(client):
    user = UserFactory()
    client.force_login(user)
    data = {"name": "Kim", "business_name": "Kim Ltd", "time_zone": "Asia/Tokyo", "email_reminders": ""}
    client.post(reverse("disputes:profile"), data)
    user.refresh_from_db()
    assert (user.name, user.time_zone, user.email_reminders) == ("Kim", "Asia/Tokyo", False)
    response = client.post(reverse("disputes:profile"), {**data, "time_zone": "Nowhere/Here"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"
    assert "Times are shown in Asia/Tokyo" in client.get(reverse("disputes:dashboard")).content.decode()


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    assert admin.is_staff and admin.is_superuser


def test_admin_pages_open_for_a_superuser(client):
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client.force_login(admin)
    for model in (
        "accounts/user",
        "disputes/case",
        "disputes/timelineentry",
        "disputes/evidence",
        "disputes/client",
        "disputes/project",
        "disputes/milestone",
        "disputes/scopeagreement",
        "disputes/warningsign",
        "disputes/review",
        "disputes/reviewaction",
        "disputes/notification",
        "disputes/mediatorinvitation",
        "disputes/mediatoraccess",
        "disputes/settlementproposal",
        "disputes/concern",
        "disputes/reminderemail",
        "disputes/letter",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    assert client.get("/admin/accounts/user/add/").status_code == 200
