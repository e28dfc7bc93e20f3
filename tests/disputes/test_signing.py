"""The installation's signing keys: made once, kept out of the media folder, published, rotated."""

import json
import threading

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.urls import reverse

from disputes import signing

pytestmark = pytest.mark.django_db


def test_the_key_is_made_on_first_use_and_then_reused():
    assert not signing.key_dir().exists()
    first = signing.current_key()
    assert signing.current_key().public.fingerprint == first.public.fingerprint
    [private] = signing.key_dir().glob("*.key")
    assert private.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_processes_using_it_for_the_first_time_together_make_one_key():
    barrier = threading.Barrier(8)
    seen = []

    def use():
        barrier.wait()
        seen.append(signing.current_key().public.fingerprint)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1 and len(list(signing.key_dir().glob("*.key"))) == 1


def test_a_key_folder_inside_media_is_refused_by_the_system_check(settings):
    settings.SIGNING_KEY_DIR = settings.MEDIA_ROOT / "keys"
    assert "settle.E001" in {error.id for error in run_checks()}
    settings.SIGNING_KEY_DIR = settings.MEDIA_ROOT.parent / "keys"
    assert "settle.E001" not in {error.id for error in run_checks()}


def test_a_timestamp_authority_without_its_certificate_is_refused(settings):
    settings.TIMESTAMP_AUTHORITY_URL = "https://tsa.example/"
    settings.TIMESTAMP_AUTHORITY_CA = ""
    assert "settle.E002" in {error.id for error in run_checks()}


def test_a_lost_private_key_is_a_clear_error(settings):
    signing.current_key()
    for path in signing.key_dir().glob("*.key"):
        path.unlink()
    with pytest.raises(signing.SigningKeyError, match=r"private half .* is missing"):
        signing.current_key()


def test_the_public_key_is_published_without_signing_in(client):
    key = signing.current_key().public
    page = client.get(reverse("disputes:signing_key")).content.decode()
    assert key.fingerprint in page and "BEGIN PUBLIC KEY" in page
    pem = client.get(reverse("disputes:signing_key_pem"))
    assert signing.fingerprint_of(signing.load_public_key(pem.content)) == key.fingerprint
    listed = json.loads(client.get(reverse("disputes:signing_keys_json")).content)
    assert [item["fingerprint"] for item in listed["keys"]] == [key.fingerprint]


def test_the_command_prints_and_rotates(capsys):
    call_command("signing_key")
    first = signing.current_key().public.fingerprint
    assert f"fingerprint {first}" in capsys.readouterr().out
    call_command("signing_key", "--rotate")
    second = signing.current_key().public.fingerprint
    call_command("signing_key", "--all")
    out = capsys.readouterr().out
    assert second != first and f"fingerprint {first}" in out and "retired" in out


def test_a_key_from_text_accepts_pem_and_base64_and_refuses_junk():
    key = signing.current_key().public
    assert signing.fingerprint_of(signing.load_public_key(key.pem)) == key.fingerprint
    raw = json.loads(json.dumps(key.as_json()))["public_key"]
    assert signing.fingerprint_of(signing.load_public_key(raw)) == key.fingerprint
    for junk in ("hello", "AAAA", "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"):
        with pytest.raises(ValueError):
            signing.load_public_key(junk)
