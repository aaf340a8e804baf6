#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on a PostgreSQL server started here on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export LUOSHI_DEMO=1  # the demo accounts the tests log in with
export LUOSHI_DATA_DIR="${LUOSHI_DATA_DIR:-$PWD/var/test}"
mkdir -p "$LUOSHI_DATA_DIR" test-artifacts

echo "== SQLite =="
env -u DATABASE_URL $BIN/pytest "$@"

echo "== PostgreSQL =="
source scripts/pg.sh
pg_start
trap pg_stop EXIT
DATABASE_URL="$PG_URL" $BIN/pytest "$@"
