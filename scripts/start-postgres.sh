#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the test suite; print its SQLAlchemy URL.
# Installs Debian's postgresql package when no server binaries are present.
set -euo pipefail
PORT=${BRIDGE_PG_PORT:-55439}
DATA=${BRIDGE_PG_DATA:-/tmp/carbon-bridge-pg}
URL="postgresql+psycopg://bridge:bridge@127.0.0.1:${PORT}/registry"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
if [[ -z "$BIN" || ! -x "$BIN/initdb" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends postgresql; } >&2
  BIN=$(find_bin)
fi
[[ -x "$BIN/initdb" ]] || { echo "no PostgreSQL server binaries" >&2; exit 1; }

# initdb refuses to run as root: use the postgres account when we are root.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres >&2; fi

if "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  # a server from an earlier run: reuse it only if our database answers
  PGPASSWORD=bridge "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U bridge -d registry -qAt -c "SELECT 1" >/dev/null 2>&1 \
    && { echo "$URL"; exit 0; }
  echo "port $PORT is taken by another server" >&2; exit 1
fi
rm -rf "$DATA"; mkdir -p "$DATA"
[[ $(id -u) == 0 ]] && chown postgres "$DATA"
as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$BIN/pg_ctl" -D "$DATA" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off" -l "$DATA/log" -w start >&2
as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE ROLE bridge LOGIN PASSWORD 'bridge' CREATEDB IN ROLE pg_signal_backend" >&2
as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE registry OWNER bridge" >&2
echo "$URL"
