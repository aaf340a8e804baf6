# Start and stop a throw-away PostgreSQL server on loopback (sourced by test.sh and benchmarks).
# initdb refuses to run as root, so the cluster belongs to the `postgres` user.
# Choose the port and folder with `PG_PORT=54401 PG_DIR=/tmp/pg-mine source scripts/pg.sh` or by
# exporting them first. Bash forgets variables given on a `source` line once the file is read,
# so the values are kept under names of this file's own.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
_PG_PORT=${PG_PORT:-54329}
_PG_DIR=${PG_DIR:-/tmp/luoshi-pg-$_PG_PORT}
PG_URL="postgres://luoshi:luoshi@127.0.0.1:$_PG_PORT/luoshi"

_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  pg_stop_quiet
  rm -rf "$_PG_DIR"
  mkdir -p "$_PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$_PG_DIR"
  _as_pg "$PG_BIN/initdb" -D "$_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  _as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -l "$_PG_DIR/log" -w \
    -o "-p $_PG_PORT -k $_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  _as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$_PG_PORT" -U postgres -q -c \
    "CREATE ROLE luoshi LOGIN SUPERUSER PASSWORD 'luoshi'" -c "CREATE DATABASE luoshi OWNER luoshi"
  PG_PORT=$_PG_PORT PG_DIR=$_PG_DIR
  export PG_URL PG_BIN PG_PORT PG_DIR
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$_PG_PORT"
}

pg_stop_quiet() {
  [ -f "$_PG_DIR/data/postmaster.pid" ] && _as_pg "$PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
}

pg_stop() {
  pg_stop_quiet
  rm -rf "$_PG_DIR"
}
