"""Data stamps: an exact cache key for what the pages read.

Every table the app reads carries a database trigger that gives one of two stamps a new,
never reused value in the same transaction as the write — `receipts` for the receipts and
their rollups, `other` for everything else (targets, units, work items, projects, the
calendar, settings…). A computation cached under the stamps it read is therefore exact: as
long as the stamps are those it was computed under, no write has happened since, and any
write gives a different key. Nothing is ever served because it is "fresh enough" (no TTL).

- SQLite: a row trigger per table (one writer at a time, so no lock order to care about).
- PostgreSQL: a deferred constraint trigger per table that bumps the stamp at commit, once
  per transaction and stamp, after locking both stamp rows in name order — so concurrent
  writers queue for the stamps only while committing and can never deadlock on them.
  TRUNCATE bumps too.
- The values are random (63–64 bits), never a counter: a rolled-back write or a restored
  backup never brings back a value that once stood for other data.

Triggers are removed before every `migrate` and installed again after it, with new values
for both stamps (`apps.py`): a table added later is stamped without anyone remembering to,
a migration that changes data changes the stamps, and none of its own statements meets a
deferred trigger event (PostgreSQL refuses to ALTER a table with events pending, which a
migration that writes rows and then alters their table would otherwise hit).
`tests/test_stamps.py` checks every table has them.

The cache is the `pages` alias of settings.CACHES (files under LUOSHI_DATA_DIR, so the
workers of one server share it; each server keeps its own, exact all the same).
`cached(name, key, compute, receipts=…)` reads the stamps (one small query), returns the
cached value when they match, else computes, and stores the value only when the stamps are
still the same afterwards (no write committed while computing: the value is the state of
exactly those stamps). `LUOSHI_PAGE_CACHE=false` (settings.PAGE_CACHE) computes every value.
What is cached, keyed by what, and the locks involved: docs/caching.md.
"""

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

TABLE = "reporting_datastamp"
#: the cache alias (settings.CACHES): files under LUOSHI_DATA_DIR, shared by a server's workers
CACHE = "pages"
RECEIPTS = "receipts"
OTHER = "other"

#: tables whose writes bump the `receipts` stamp (the receipts and what triggers derive)
RECEIPT_TABLES = frozenset(
    {
        "funding_receipt",
        "funding_receiptunitmonth",
        "funding_receiptcitymonth",
        "funding_receiptshareddoc",
        "funding_rolluppause",
    }
)
#: tables no cached page reads and whose writes would only empty the cache for nothing:
#: the stamps themselves, sessions, the audit trail (append-only), migrations, jobs
UNSTAMPED = frozenset(
    {TABLE, "django_session", "django_migrations", "audit_auditevent", "audit_auditanchor"}
    # background jobs' queue and progress: written every half second while a job runs
    | {"jobs_job", "django_tasks_database_dbtaskresult"}
    # login bookkeeping (failures, lockout, the last one-time code): written at every login
    | {"accounts_loginstate"}
)
#: columns no cached page reads, whose updates leave the stamps alone: Django writes the
#: user's last login at every login, which would otherwise empty most cached pages
UNSTAMPED_COLUMNS = {"auth_user": frozenset({"last_login"})}


#: 64 random bits (SQLite: `abs(random())`, 63): a stamp value is never given twice, not
#: even after a rollback or a restored backup (a sequence would hand out its values again)
PG_RANDOM = "('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint"


def stamped_tables(conn=connection) -> list[str]:
    # SQLite's own tables (sqlite_stat1, which ANALYZE makes) take no trigger
    names = {t for t in conn.introspection.table_names() if not t.startswith("sqlite_")}
    return sorted(names - UNSTAMPED)


def _kind(table: str) -> str:
    return RECEIPTS if table in RECEIPT_TABLES else OTHER


def _trigger(table: str) -> str:
    return f"{table}_stamp"[:60]


def _update_event(conn, cursor, table: str) -> str:
    """`UPDATE`, or `UPDATE OF` every column but those no cached page reads (both SQLite and
    PostgreSQL fire such a trigger only when a statement sets one of the columns named)."""
    skipped = UNSTAMPED_COLUMNS.get(table)
    if not skipped:
        return "UPDATE"
    columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
    return "UPDATE OF " + ", ".join(f'"{c}"' for c in columns if c not in skipped)


def uninstall(conn=connection) -> None:
    """Drop every stamp trigger (before a migration; `install` puts them back)."""
    if TABLE not in conn.introspection.table_names():
        return
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
                [f"%{TABLE}%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        elif conn.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'reporting_stamp'"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')


def install(conn=connection) -> None:
    """Create the stamp rows and the triggers on every stamped table (idempotent), and give
    both stamps new values (whatever a migration wrote without them counts as a write)."""
    tables = stamped_tables(conn)
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"UPDATE {TABLE} SET stamp = abs(random())")
            for kind in (OTHER, RECEIPTS):
                cursor.execute(
                    f"INSERT OR IGNORE INTO {TABLE} (name, stamp) VALUES (%s, abs(random()))",
                    [kind],
                )
            for table in tables:
                bump = (
                    f"INSERT INTO {TABLE} (name, stamp) VALUES ('{_kind(table)}', abs(random())) "
                    "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;"
                )
                update = _update_event(conn, cursor, table)
                for suffix, event in (
                    ("insert", "INSERT"),
                    ("update", update),
                    ("delete", "DELETE"),
                ):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{_trigger(table)}_{suffix}" '
                        f'AFTER {event} ON "{table}" BEGIN {bump} END'
                    )
        elif conn.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {TABLE} (name, stamp) VALUES ('{OTHER}', {PG_RANDOM}), "
                f"('{RECEIPTS}', {PG_RANDOM}) "
                "ON CONFLICT (name) DO UPDATE SET stamp = EXCLUDED.stamp"
            )
            cursor.execute(
                f"""CREATE OR REPLACE FUNCTION reporting_stamp() RETURNS trigger AS $$
                DECLARE
                  flag text := 'reporting.stamped_' || TG_ARGV[0];
                BEGIN
                  IF TG_OP <> 'TRUNCATE' AND current_setting(flag, true) = '1' THEN
                    RETURN NULL;  -- this transaction has bumped this stamp already
                  END IF;
                  PERFORM 1 FROM {TABLE} ORDER BY name FOR UPDATE;
                  INSERT INTO {TABLE} (name, stamp) VALUES (TG_ARGV[0], {PG_RANDOM})
                    ON CONFLICT (name) DO UPDATE SET stamp = EXCLUDED.stamp;
                  PERFORM set_config(flag, '1', true);
                  RETURN NULL;
                END $$ LANGUAGE plpgsql"""
            )
            cursor.execute("SELECT tgname FROM pg_trigger")
            done = {row[0] for row in cursor.fetchall()}
            for table in tables:
                name = _trigger(table)
                if name in done:
                    continue
                update = _update_event(conn, cursor, table)
                cursor.execute(
                    f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR {update} OR DELETE '
                    f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                    f"EXECUTE FUNCTION reporting_stamp('{_kind(table)}')"
                )
                cursor.execute(
                    f'CREATE OR REPLACE TRIGGER "{name[:51]}_truncate" AFTER TRUNCATE '
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION '
                    f"reporting_stamp('{_kind(table)}')"
                )


_bypass: ContextVar[bool] = ContextVar("luoshi_stamps_bypass", default=False)


@contextmanager
def bypassed() -> Iterator[None]:
    """Compute everything afresh inside (`luoshi bench` times the pages as computed)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


def current() -> dict[str, int]:
    """The stamps now (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, stamp FROM {TABLE}")
        return dict(cursor.fetchall())


_request_stamps: ContextVar[dict | None] = ContextVar("luoshi_request_stamps", default=None)


def request_started(environ=None, **kwargs) -> None:
    """A GET or HEAD reads by the stamps it first reads (it writes nothing: its parts are
    then one state of the data, and it reads the stamps once); any other request by the
    stamps of the moment. Connected to Django's request_started (apps.py)."""
    method = (environ or {}).get("REQUEST_METHOD", "")
    _request_stamps.set({} if method in ("GET", "HEAD") else None)


def request_finished(**kwargs) -> None:
    _request_stamps.set(None)


def for_request() -> dict[str, int]:
    """The stamps this request reads by (see `request_started`); outside a GET, `current()`."""
    memo = _request_stamps.get()
    if memo is None:
        return current()
    if not memo:
        memo.update(current())
    return memo


def cached(name: str, key: tuple, compute: Callable[[], Any], *, receipts: bool = True) -> Any:
    """`compute()`, or the value it gave under the same stamps. `receipts=False` only for a
    computation that reads no receipt (nor a rollup of them): it then survives receipt writes.
    Inside a transaction that has written (a POST's own re-render) nothing is cached: its
    writes are not committed, so the stamps do not tell them yet."""
    if _bypass.get() or not settings.PAGE_CACHE:
        return compute()
    seen = _snapshot_stamps.get()
    if seen is None and connection.in_atomic_block:
        return compute()
    stamps = seen if seen is not None else for_request()
    kinds = (OTHER, RECEIPTS) if receipts else (OTHER,)
    if any(kind not in stamps for kind in kinds):
        return compute()  # the stamps were emptied (a flushed test database): no cache
    cache = caches[CACHE]
    full_key = _cache_key(name, key, stamps, kinds)
    found = cache.get(full_key)
    if found is not None:
        return found
    if seen is not None:  # inside another computation's snapshot: its stamps are ours
        value = compute()
        cache.set(full_key, value, None)
        return value
    with getattr(cache, "computing", _alone)(full_key):
        found = cache.get(full_key)  # another worker computed it while this one waited
        if found is not None:
            return found
        with snapshot() as seen:
            value = compute()
        cache.set(_cache_key(name, key, seen, kinds), value, None)
    return value


@contextmanager
def _alone(_key: str) -> Iterator[None]:
    yield


def _cache_key(name: str, key: tuple, stamps: dict, kinds: tuple) -> str:
    state = repr((code_version(), key, [stamps[kind] for kind in kinds])).encode()
    return f"luoshi:{name}:{hashlib.sha256(state).hexdigest()}"


@functools.cache
def code_version() -> str:
    """The code that renders the cached values (the apps' modules, templates and catalogues,
    by name, size and time): a new version of Luoshi, installed over the old one with its
    cache left in place, computes its pages afresh instead of serving the old code's."""
    from django.apps import apps

    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(config.path).resolve() for config in apps.get_app_configs()]
    # Django's and the libraries' apps are left out: their version is the environment's
    return code_fingerprint(base, sorted(root for root in roots if root.is_relative_to(base)))


def code_fingerprint(base: Path, roots: list[Path]) -> str:
    """A digest of the names, sizes and times of the code files under `roots`."""
    seen = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            # a tests folder inside the app, not one the checkout happens to sit in
            inside = path.relative_to(root).parts
            if path.suffix in {".py", ".html", ".mo", ".txt"} and "tests" not in inside:
                info = path.stat()
                seen.update(f"{path.relative_to(base)}:{info.st_size}:{info.st_mtime_ns}".encode())
    return seen.hexdigest()[:16]


_snapshot_stamps: ContextVar[dict | None] = ContextVar("luoshi_stamps_snapshot", default=None)


@contextmanager
def snapshot() -> Iterator[dict]:
    """A read-only transaction that sees one state of the database, and its stamps.

    Read in it, a computation is exactly the state of those stamps, even when writes commit
    while it runs (under load, every other cockpit computed without it saw a receipt
    committed half-way and could not be cached). PostgreSQL: REPEATABLE READ. SQLite (WAL):
    a deferred transaction, a snapshot from its first read that takes no lock (Django's
    `atomic` begins IMMEDIATE, which would take the write lock)."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield from _stamps_in_snapshot()
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield from _stamps_in_snapshot()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")  # it read only


def _stamps_in_snapshot() -> Iterator[dict]:
    seen = current()
    token = _snapshot_stamps.set(seen)
    try:
        yield seen
    finally:
        _snapshot_stamps.reset(token)
