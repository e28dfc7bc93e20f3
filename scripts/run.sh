#!/usr/bin/env bash
# Set everything up and run Settle locally: web app, Celery worker and beat.
# Embedded defaults: SQLite in var/, a file-system Celery broker in var/broker,
# e-mail printed to the console. Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
PY=.venv/bin/python

$PY manage.py migrate --noinput
$PY manage.py seed_demo
# Catch up at once on concerns that fell due while nothing ran; beat then sweeps every 5 minutes.
$PY manage.py sweep

# The worker runs beat inside it (-B): exactly one scheduler, so no schedule fires twice.
.venv/bin/celery -A config worker -B --loglevel=INFO --concurrency=2 &
worker_pid=$!
$PY manage.py runserver "127.0.0.1:$PORT" &
web_pid=$!

stop() {
  kill -TERM "$web_pid" "$worker_pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$web_pid" 2>/dev/null || kill -0 "$worker_pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "Still running after 10 s; killing." >&2
  pkill -KILL -P "$worker_pid" 2>/dev/null || true
  kill -KILL "$web_pid" "$worker_pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

cat <<MSG

  Settle is running at  http://127.0.0.1:$PORT/
  Demo login:           demo@settle.example / settle-demo-2026
  Staff login:          staff@settle.example / settle-demo-2026
  E-mails are printed in this terminal. Stop with Ctrl+C.

MSG
# If either process ends, stop the other. (wait, unlike a foreground command,
# lets the traps above run as soon as a signal arrives.)
wait -n "$web_pid" "$worker_pid"
