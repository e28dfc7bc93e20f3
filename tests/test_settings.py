"""Production settings refuse to start without their secrets and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "q7Vh2mXr9LwZ4tKp8sNc3fYb6dJg1aUe5oRi0yTx-Wz_Qm.Ln+Hs4Ee7Cv",
    "ALLOWED_HOSTS": "settle.example.com",
    "SITE_URL": "https://settle.example.com",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # Start from the bare environment: none of the test run's own settings leak in.
    inherited = {"PATH", "HOME", "LANG", "DATABASE_URL", "CELERY_BROKER_URL"}
    clean = {k: v for k, v in os.environ.items() if k in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "SETTLE_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env={**env, "SETTLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("EMAIL_PORT", "twenty-five"), ("EVIDENCE_MAX_FILE_MB", "0"), ("CACHE_URL", "memcached://x")],
)
def test_bad_values_are_refused_by_name(name, value, tmp_path):
    result = manage("check", env={**PRODUCTION, name: value, "SETTLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and name in result.stderr


def test_a_short_secret_key_is_refused(tmp_path):
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": "short", "SETTLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-50-or-more-random-characters-change-me-now",  # the one in .env.example
        "insecure-local-development-key-never-use-in-production",  # the one DEBUG uses
        "a" * 60,
        "ababababababababababababababababababababababababababab",
    ],
)
def test_a_placeholder_or_low_entropy_secret_key_is_refused(key, tmp_path):
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": key, "SETTLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_example_environment_file_does_not_start_as_it_is(tmp_path):
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    result = manage("check", env={**example, "SETTLE_VAR_DIR": str(tmp_path), "DATABASE_URL": ""})
    assert result.returncode != 0 and "SECRET_KEY is a placeholder" in result.stderr


def test_object_storage_is_chosen_by_a_setting_and_needs_its_bucket(tmp_path):
    env = {**PRODUCTION, "SETTLE_VAR_DIR": str(tmp_path), "FILE_STORAGE": "s3"}
    refused = manage("check", env=env)
    assert refused.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in refused.stderr
    env["AWS_STORAGE_BUCKET_NAME"] = "settle-files"
    shown = manage(
        "shell", "-c", "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])", env=env
    )
    assert shown.stdout.strip().splitlines()[-1] == "storages.backends.s3.S3Storage", shown.stderr
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0
    bad = manage("check", env={**env, "FILE_STORAGE": "ftp"})
    assert bad.returncode != 0 and "FILE_STORAGE" in bad.stderr


def test_the_pdf_engine_says_only_its_warnings():
    import logging

    for name in ("weasyprint", "weasyprint.progress", "fontTools.subset"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    assert logging.getLogger("disputes").isEnabledFor(logging.INFO)


@pytest.mark.parametrize(("setting", "prepared"), [(None, True), ("1", True), ("0", False)])
def test_postgresql_prepares_statements_unless_turned_off(monkeypatch, tmp_path, setting, prepared):
    from config.database import default_database

    monkeypatch.setenv("DATABASE_URL", "postgres://settle:secret@db.internal:5432/settle")
    if setting is None:
        monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", setting)
    options = default_database(tmp_path).get("OPTIONS", {})
    assert (options.get("server_side_binding"), options.get("prepare_threshold")) == (
        (True, 2) if prepared else (None, None)
    )


@pytest.mark.parametrize(
    ("setting", "options"),
    [
        (None, "-c plan_cache_mode=force_generic_plan"),
        ("auto", None),
        ("force_custom_plan", "-c plan_cache_mode=force_custom_plan"),
    ],
)
def test_prepared_statements_keep_generic_plans_unless_told(monkeypatch, tmp_path, setting, options):
    from config.database import default_database

    monkeypatch.setenv("DATABASE_URL", "postgres://settle:secret@db.internal:5432/settle")
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    if setting is None:
        monkeypatch.delenv("DATABASE_PLAN_CACHE_MODE", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PLAN_CACHE_MODE", setting)
    assert default_database(tmp_path)["OPTIONS"].get("options") == options
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")  # nothing prepared, nothing to plan once
    assert "options" not in default_database(tmp_path).get("OPTIONS", {})


def test_a_mistyped_plan_cache_mode_is_refused(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from config.database import default_database

    monkeypatch.setenv("DATABASE_URL", "postgres://settle:secret@db.internal:5432/settle")
    monkeypatch.setenv("DATABASE_PLAN_CACHE_MODE", "generic")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PLAN_CACHE_MODE"):
        default_database(tmp_path)


def test_sqlite_keeps_its_pragmas_and_takes_no_postgresql_options(monkeypatch, tmp_path):
    from config.database import default_database

    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = default_database(tmp_path)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "server_side_binding" not in database["OPTIONS"]
