#!/usr/bin/env bash
# Start a throw-away PostgreSQL and Redis on free local ports, export
# DATABASE_URL and CELERY_BROKER_URL (and CACHE_URL) for them, run the given
# command, then stop both. Usage: scripts/with-services.sh COMMAND [ARGS…]
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)." >&2
  exit 1
fi
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)." >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

work=$(mktemp -d /tmp/settle-services.XXXXXX)
chmod 755 "$work"
pg_port=$(free_port)
redis_port=$(free_port)

cleanup() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [[ -f "$work/data/postmaster.pid" ]]; then
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    else "$PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

as_pg() {
  # PostgreSQL refuses to run as root.
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[[ "$(id -u)" == 0 ]] && chown postgres "$work"

as_pg "$PG_BIN/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE ROLE settle LOGIN CREATEDB PASSWORD 'settle';"
as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE settle OWNER settle;"

redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
  --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do
  [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.1
done

export DATABASE_URL="postgres://settle:settle@127.0.0.1:$pg_port/settle"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0"
export CACHE_URL="redis://127.0.0.1:$redis_port/1"
echo "PostgreSQL on port $pg_port, Redis on port $redis_port."
"$@"
