import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "New.Person@Example.com",
    "name": "New Person",
    "business_name": "NP Studio",
    "time_zone": "Europe/Berlin",
    "password1": "correct-horse-battery",
    "password2": "correct-horse-battery",
}


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert response["Location"] == reverse("disputes:dashboard")
    user = User.objects.get()
    assert user.email == "new.person@example.com" and user.time_zone == "Europe/Berlin"
    assert not user.is_staff
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"email": "nope"}, "Enter a valid email address"),
        ({"time_zone": "Mars/Base"}, "Select a valid choice"),
    ],
)
def test_sign_up_errors_keep_the_input(client, change, message):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, **change})
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "NP Studio" in html
    assert not User.objects.exists()


def test_the_same_email_cannot_sign_up_twice_whatever_its_case(client):
    UserFactory(email="taken@example.com")
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "email": "TAKEN@example.com"})
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


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
