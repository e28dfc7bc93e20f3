#!/usr/bin/env bash
# Rehearse the production layout of docs/deploy.md on this machine, end to end:
# PostgreSQL and Redis (throw-away, from scripts/with-services.sh), files in an
# S3 bucket (moto's S3 server standing in for the real one), two gunicorn web
# processes, two Celery workers, one beat; the health check; then a backup of
# the database and the files together, a restore into a fresh database and
# bucket, and a check that the restored record verifies.
#
# Usage: scripts/deploy-rehearsal.sh        (needs PostgreSQL, Redis; installs the dev tools)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DATABASE_URL:-}" ]]; then
  scripts/setup.sh dev
  exec scripts/with-services.sh "$0" "$@"
fi

PY=.venv/bin/python
work=$(mktemp -d /tmp/settle-rehearsal.XXXXXX)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

s3_port=$(free_port)
web_port=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$s3_port" >"$work/s3.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break; sleep 0.1; done

export DEBUG=0 SECRET_KEY="rehearsal-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
export ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$web_port" SECURE_PROXY_SSL_HEADER=1
export SETTLE_VAR_DIR="$work/var" SIGNING_KEY_DIR="$work/keys"
export FILE_STORAGE=s3 AWS_STORAGE_BUCKET_NAME=settle-files AWS_S3_ENDPOINT_URL="http://127.0.0.1:$s3_port"
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_S3_REGION_NAME=us-east-1
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$work/mail"
mkdir -p "$SETTLE_VAR_DIR"
s3() { $PY -c "import boto3,sys; c=boto3.client('s3', endpoint_url='$AWS_S3_ENDPOINT_URL'); $1"; }
s3 "c.create_bucket(Bucket='settle-files')"

echo "== migrate, static files, deploy checks"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
$PY manage.py check --deploy --fail-level WARNING

echo "== web (gunicorn, 2 workers), 2 Celery workers, 1 beat"
.venv/bin/gunicorn config.wsgi --workers 2 --bind "127.0.0.1:$web_port" --access-logfile - >"$work/web.log" 2>&1 &
pids+=($!)
for n in 1 2; do
  .venv/bin/celery -A config worker -n "worker$n@%h" --concurrency 1 --loglevel WARNING >"$work/worker$n.log" 2>&1 &
  pids+=($!)
done
.venv/bin/celery -A config beat --loglevel WARNING --schedule "$work/beat-schedule" >"$work/beat.log" 2>&1 &
pids+=($!)

echo "== demo data, one sweep, the health check"
$PY manage.py seed_demo --allow-without-debug >/dev/null
$PY manage.py sweep >/dev/null
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$web_port/health/" >"$work/health.json" 2>/dev/null && break; sleep 0.2; done
cat "$work/health.json"; echo
grep -q '"status": "ok"' "$work/health.json"

echo "== backup: the database (pg_dump) and the files (the bucket and the signing keys), together"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
"$PG_BIN/pg_dump" --format=custom --no-owner --dbname="$DATABASE_URL" --file="$work/settle.dump"
mkdir -p "$work/backup/files"
s3 "
import pathlib
root = pathlib.Path('$work/backup/files')
for page in c.get_paginator('list_objects_v2').paginate(Bucket='settle-files'):
    for item in page.get('Contents', []):
        target = root / item['Key']; target.parent.mkdir(parents=True, exist_ok=True)
        c.download_file('settle-files', item['Key'], str(target))
"
cp -a "$SIGNING_KEY_DIR" "$work/backup/keys"
echo "dump $(du -h "$work/settle.dump" | cut -f1), files $(find "$work/backup/files" -type f | wc -l)"

echo "== restore into a fresh database and bucket, then verify the record"
restored_url="${DATABASE_URL%/*}/settle_restored"
"$PG_BIN/createdb" --maintenance-db="$DATABASE_URL" settle_restored
"$PG_BIN/pg_restore" --no-owner --dbname="$restored_url" "$work/settle.dump"
s3 "
import pathlib
c.create_bucket(Bucket='settle-restored')
root = pathlib.Path('$work/backup/files')
for path in root.rglob('*'):
    if path.is_file(): c.upload_file(str(path), 'settle-restored', str(path.relative_to(root)))
"
DATABASE_URL="$restored_url" AWS_STORAGE_BUCKET_NAME=settle-restored SIGNING_KEY_DIR="$work/backup/keys" \
  $PY manage.py verify_chains
DATABASE_URL="$restored_url" AWS_STORAGE_BUCKET_NAME=settle-restored SIGNING_KEY_DIR="$work/backup/keys" $PY manage.py shell -c "
from disputes.models import Evidence
from disputes.storage import open_stream
import hashlib
bad = 0
for item in Evidence.objects.all():
    with open_stream(item.file) as stream:
        digest = hashlib.sha256()
        for chunk in iter(lambda: stream.read(1 << 20), b''):
            digest.update(chunk)
    bad += digest.hexdigest() != item.sha256
print(f'evidence files checked: {Evidence.objects.count()}, not matching: {bad}')
assert bad == 0
from django.db.models import Count
from disputes.models import Case, CaseTally
counted = dict(Case.objects.filter(status='open').values_list('stage').annotate(n=Count('id')).order_by())
tallied = {}
for tally in CaseTally.objects.filter(cases__gt=0):
    tallied[tally.stage] = tallied.get(tally.stage, 0) + tally.cases
print(f'dashboard tallies after restore: {tallied}')
assert counted == tallied, (counted, tallied)
"
echo "== rehearsal passed"
