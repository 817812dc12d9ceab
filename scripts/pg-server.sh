#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on loopback for tests, fault runs and benchmarks:
# initdb in a directory of our own, no system-wide configuration touched.
#   scripts/pg-server.sh start [DIR] [PORT]   prints the URL of database `cameo`
#   scripts/pg-server.sh schema NAME          (re)creates an empty schema NAME, prints its URL
#   scripts/pg-server.sh stop  [DIR]
# As root, the cluster is owned by the `postgres` user (initdb refuses to run as root).
set -euo pipefail
cmd=${1:-start}
dir=${2:-${CAMEO_PG_DIR:-/tmp/cameo-pg}}
port=${3:-${CAMEO_PG_PORT:-54329}}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg-server: PostgreSQL server binaries not found; run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      echo "postgres://cameo@127.0.0.1:$port/cameo"; exit 0
    fi
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U cameo --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB" start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U cameo -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cameo'" | grep -q 1 \
      || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U cameo cameo
    echo "postgres://cameo@127.0.0.1:$port/cameo"
    ;;
  schema)
    name=${2:?schema name}
    url=$("$0" start "${CAMEO_PG_DIR:-/tmp/cameo-pg}" "$port")
    psql "$url" -qc "DROP SCHEMA IF EXISTS $name CASCADE" -c "CREATE SCHEMA $name" >/dev/null 2>&1 \
      || { echo "pg-server: cannot create schema $name" >&2; exit 1; }
    echo "$url?schema=$name"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
