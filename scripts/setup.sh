#!/usr/bin/env bash
# Create .venv (if needed) and install the pinned requirements into it.
# Usage: scripts/setup.sh [dev]   ("dev" adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

usable() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

PYTHON=${PYTHON:-}
if [[ -z "$PYTHON" ]]; then
  # A name on PATH may be a shim for a version that is not installed: try each.
  for candidate in python3.13 python3.12 python3.11 python3; do
    if usable "$candidate"; then PYTHON=$candidate; break; fi
  done
fi
if [[ -z "$PYTHON" ]] || ! usable "$PYTHON"; then
  echo "Settle needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

requirements=requirements.txt
[[ "${1:-}" == "dev" ]] && requirements=requirements-dev.txt

if [[ ! -x .venv/bin/python ]]; then
  echo "Creating .venv with $("$PYTHON" --version)…"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "Installing $requirements…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
