#!/usr/bin/env bash
# Runs the whole suite on SQLite and on a PostgreSQL server started here on loopback, the two
# runs at once: each keeps about one of two cores busy, and one run's waits (browser, server
# subprocesses, PostgreSQL) leave room for the other. Each run's output is printed whole when
# it ends, SQLite first; the script fails if either run fails. Arguments go to both runs.
#
# What runs where: tests of the data run on both databases. Four kinds run once, each in the
# run that needs it (markers in pyproject.toml): browser tests and the crawls of every page, link and
# permission cell as each role in the SQLite run (they test pages and scoping, which the ORM
# writes the same for both), the walks of every URL with generated input in the PostgreSQL run (the stricter
# database: NUL bytes, integer ranges and types refused there are accepted by SQLite), and the
# tests that use no test database at all (`nodb`, marked by conftest.py: parsers, settings,
# catalogues, commands run in a subprocess on an SQLite file of their own) in the SQLite run:
# the database given to the run makes no difference to them.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export LUOSHI_DEMO=1  # the demo accounts the tests log in with
DATA="${LUOSHI_DATA_DIR:-$PWD/var/test}"
LOGS="$DATA/logs"
# A data directory per run: each writes its own secret key, SQLite files and static folder.
mkdir -p "$LOGS" test-artifacts
# data directories are private (the settings refuse a folder others may enter)
mkdir -p "$DATA/sqlite" "$DATA/postgresql"
chmod 700 "$DATA/sqlite" "$DATA/postgresql"

source scripts/pg.sh
pg_start
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; pg_stop' EXIT

started=$(date +%s)
LUOSHI_DATA_DIR="$DATA/sqlite" env -u DATABASE_URL $BIN/pytest -m "not walk" --durations=15 "$@" \
  >"$LOGS/sqlite.log" 2>&1 &
pids+=($!)
LUOSHI_DATA_DIR="$DATA/postgresql" DATABASE_URL="$PG_URL" \
  $BIN/pytest -m "not browser and not crawl and not nodb" --durations=15 "$@" >"$LOGS/postgresql.log" 2>&1 &
pids+=($!)

failed=()
summary=()
show() {  # show NAME PID LOG: wait for one run and print its whole output
  local status=0
  wait "$2" || status=$?
  echo "== $1 (exit $status after $(($(date +%s) - started)) s) =="
  cat "$3"
  summary+=("$1: $(tail -n 1 "$3")")
  [ "$status" = 0 ] || failed+=("$1")
}
show SQLite "${pids[0]}" "$LOGS/sqlite.log"
show PostgreSQL "${pids[1]}" "$LOGS/postgresql.log"

echo "== Both databases in $(($(date +%s) - started)) s =="
printf '%s\n' "${summary[@]}"
# one plain closing line for both runs: "N passed, N failed"
count() { tail -q -n 1 "$LOGS"/sqlite.log "$LOGS"/postgresql.log | grep -Eo "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'; }
echo "$(count passed) passed, $(count failed) failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED on: ${failed[*]}"
  exit 1
fi
