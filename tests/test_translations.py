"""The German catalogue is complete, current and consistent with the strings the code marks."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from tests.services import require_msgfmt

ROOT = Path(settings.BASE_DIR)
GERMAN = ROOT / "locale" / "de" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def german_messages():
    with open(GERMAN / "django.po", "rb") as handle:
        return [message for message in read_po(handle) if message.id]


def test_every_message_is_translated_and_none_is_fuzzy():
    messages = german_messages()
    assert len(messages) > 700
    untranslated = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_a_translation_keeps_its_placeholders():
    # A missing or misspelt %(name)s would raise or drop a value when the page is drawn.
    wrong = []
    for message in german_messages():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [(ids[0], text) for text in strings if set(PLACEHOLDER.findall(text)) != expected]
    assert wrong == []


def test_the_catalogue_holds_every_marked_string(tmp_path):
    """Extracting again from a copy of the sources adds no message: nothing marked is left out."""
    require_msgfmt()
    if not shutil.which("xgettext"):
        pytest.skip("needs GNU gettext's xgettext")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".*", "tests", "bench", "static", "artifacts", "docs", "var", "media", "*.pyc"),
    )
    subprocess.run(
        ["bash", "scripts/messages.sh"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": str(tmp_path)},
    )
    with open(copy / "locale" / "de" / "LC_MESSAGES" / "django.po", "rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    kept = {message.id for message in german_messages()}
    assert extracted - kept == set(), "new marked strings: run scripts/messages.sh and translate them"
    assert kept - extracted == set(), "messages no longer used: run scripts/messages.sh"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_compiled_catalogue_is_the_current_one(tmp_path, language):
    msgfmt = require_msgfmt()
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", fresh, folder / "django.po"], check=True)
    with open(fresh, "rb") as new, open(folder / "django.mo", "rb") as kept:
        assert gettext.GNUTranslations(kept)._catalog == gettext.GNUTranslations(new)._catalog, (
            f"locale/{language}/LC_MESSAGES/django.mo is older than its .po: run scripts/messages.sh"
        )
