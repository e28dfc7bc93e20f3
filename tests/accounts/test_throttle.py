"""Failed sign-ins are counted in the database: across processes, on the admin login too, with no cache."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, email, password, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def test_a_locked_address_stays_locked_with_the_right_password(client, settings):
    UserFactory(email="me@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert "do not match" in sign_in(client, "me@example.com", "wrong").content.decode()
    assert sign_in(client, "me@example.com", "wrong").status_code == 429  # the failure that reaches the limit
    response = sign_in(client, "Me@Example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_count_survives_an_empty_cache_as_in_another_process(client, settings):
    UserFactory(email="me@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "me@example.com", "wrong")
    cache.clear()  # what a second web worker, with its own memory, would see
    assert sign_in(client, "me@example.com", PASSWORD).status_code == 429
    assert AccessAttempt.objects.filter(username="me@example.com").exists()


def test_failures_on_the_admin_login_count_and_lock_it(client, settings):
    User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "root@example.com", "password": "wrong", "next": "/admin/"})
    response = client.post("/admin/login/", {"username": "root@example.com", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    # The admin's failures and the site's are one count: the site's sign-in is locked too.
    assert sign_in(client, "root@example.com", PASSWORD).status_code == 429


def test_one_ip_trying_many_addresses_is_locked_and_another_ip_is_not(client, settings):
    UserFactory(email="victim@example.com")
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{i}@example.com", "password1", REMOTE_ADDR="203.0.113.7")
    assert sign_in(client, "victim@example.com", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert sign_in(client, "victim@example.com", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_x_forwarded_for_counts_only_from_trusted_proxies(client, settings):
    UserFactory(email="me@example.com")
    # No trusted proxy: a forged header changes nothing, the lock stays on the real address.
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"x{i}@example.com", "nope", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert sign_in(client, "me@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    AccessAttempt.objects.all().delete()
    # One proxy of ours: the address it appended is the client's; what the client wrote before it is ignored.
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "other@example.com", "nope", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10")
    assert sign_in(client, "me@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.10").status_code == 429
    assert sign_in(client, "me@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.99").status_code == 302


def test_a_successful_sign_in_resets_the_count(client, settings):
    UserFactory(email="me@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "me@example.com", "wrong")
    assert sign_in(client, "me@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "me@example.com", "wrong")
    assert sign_in(client, "me@example.com", PASSWORD).status_code == 302


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sign_in_needs_no_cache_and_a_dead_redis_is_no_500(client, settings):
    """Nothing on the sign-in path uses the cache: with Redis down it works and still counts failures."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    # (Changing the setting resets Django's cache handlers.) The cache really is down:
    with pytest.raises(Exception, match=r"Connection refused|Error 111"):
        cache.set("probe", 1)
    UserFactory(email="me@example.com")
    assert sign_in(client, "me@example.com", "wrong").status_code == 200
    assert sign_in(client, "me@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "me@example.com", "wrong")
    assert sign_in(client, "me@example.com", PASSWORD).status_code == 429


def _free_port() -> int:
    return closed_port()


class Browser:
    """A cookie-keeping HTTP client opening a new connection per request (so gunicorn spreads them)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect(), urllib.request.HTTPHandler()
        )

    def sign_in(self, email: str, password: str) -> int:
        page = self.opener.open(f"{self.base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        # CSRF_COOKIE_SECURE is on (production settings): over plain HTTP send the cookie by hand.
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        body = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(  # noqa: S310 - our own http:// test server
            f"{self.base}/accounts/login/", data=body.encode(), headers={"Cookie": cookie}
        )
        try:
            return self.opener.open(request).status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_workers_share_the_lock(tmp_path, settings):
    require_postgres()
    UserFactory(email="locked@example.com")
    db = connection.settings_dict
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SETTLE_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
    }
    # Production settings serve static files from collectstatic's manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(f"http://127.0.0.1:{port}")
        failures = [browser.sign_in("locked@example.com", "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
        assert failures == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
        # Ten more tries with the right password, each on a new connection, spread over both workers.
        retries = [Browser(f"http://127.0.0.1:{port}").sign_in("locked@example.com", PASSWORD) for _ in range(10)]
        assert retries == [429] * 10
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output = server.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert "Booting worker" in output and output.count("Booting worker") == 2, output[-2000:]
