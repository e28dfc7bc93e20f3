#!/usr/bin/env bash
# Set everything up and run the whole test suite. Extra arguments go to pytest.
#
# Without DATABASE_URL the suite runs on SQLite; CI sets it to PostgreSQL and
# CELERY_BROKER_URL to Redis. With REQUIRE_SERVICES=1 a test that needs a
# missing service (PostgreSQL, Redis, Chromium) fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh dev

# Browser tests drive the system's Chromium (Playwright cannot download its own here),
# and render PDF pages to PNG with pdftoppm; the record's tests use OpenSSL's command
# line as a timestamp authority and to check a case file by hand; the IMAP poll's tests
# run against Debian's Dovecot.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[[ -x /usr/sbin/dovecot ]] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
if (( ${#missing[@]} )) && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "Could not install ${missing[*]}; the tests that need them will be skipped." >&2
fi

exec .venv/bin/python -m pytest "$@"
