#!/usr/bin/env bash
# Refresh the German catalogue from the marked strings, then compile both catalogues.
# Run after adding or changing a translatable string; translate what it marks as new
# (tests/test_translations.py fails while any message is untranslated or fuzzy).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DEBUG=1 "$PY" manage.py makemessages --locale de --extension html,txt,py --no-location --no-obsolete \
  --ignore 'tests/*' --ignore 'bench/*' --ignore 'static/*' --ignore 'artifacts/*' --ignore 'docs/*' \
  --ignore 'scripts/*' --ignore 'var/*' --ignore 'media/*' --ignore 'locale/*'
for po in locale/*/LC_MESSAGES/django.po; do
  msgfmt --check -o "${po%.po}.mo" "$po"
done
