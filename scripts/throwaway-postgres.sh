#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints `export …` lines
# for its URL and its stop command. Usage: eval "$(scripts/throwaway-postgres.sh)".
# Installs Debian's postgresql if missing. Data lives in a temp dir, fsync off.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=$(mktemp -d /tmp/zfx-pg.XXXXXX)
PORT=${ZAOFAXIAN_PG_PORT:-$((20000 + RANDOM % 20000))}
# initdb refuses to run as root: use the postgres system user then.
RUN=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o \
  "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
  start >/dev/null
echo "export ZAOFAXIAN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
echo "export ZAOFAXIAN_PG_STOP='${RUN[*]} $PGBIN/pg_ctl -D $DIR/data -m immediate stop; rm -rf $DIR'"
