"""Helpers shared by every app's services (the only write path)."""

from collections.abc import Iterable
from contextlib import contextmanager
from itertools import islice

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Raw batched INSERTs, for the bulk services that expose them -----------------------


def _same_value_cached(adapt):
    """Every audit event of one batch has the same time: adapt it once."""
    last: list = [object(), None]

    def cached(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return cached


def insert_rows(model, columns: list[str], rows: Iterable[tuple], json_text=()) -> None:
    """INSERT many rows: on SQLite up to 500 rows per statement (one statement per row
    costs a statement journal each while the receipt table has triggers: 8 s of a
    100,000-receipt import, against 2 s), on PostgreSQL with COPY. The ORM's per-value
    preparation of bulk_create costs ~10x more than the database for 100,000 receipts and
    their audit events. Dates and datetimes are adapted here the way the fields would; the
    columns at the positions in `json_text` are given as JSON text already. `rows` may be a
    generator (the audit batch seals its events as they are written).

    Only bulk services call this (`funding.services.bulk_record_receipts`,
    `audit.services.AuditBatch`): they apply the rules and record the audit events."""
    ops = connection.ops
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    adapters = []
    for field_ in fields:
        internal = field_.get_internal_type()
        if internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DateTimeField":
            adapters.append(_same_value_cached(ops.adapt_datetimefield_value))
        else:
            adapters.append(None)
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]

    def adapted(row: tuple):
        if not active:
            return row
        row = list(row)
        for i, adapt in active:
            row[i] = adapt(row[i]) if row[i] is not None else None
        return row

    if connection.vendor == "postgresql":
        # COPY: PostgreSQL's bulk path, a quarter of the time of INSERT statements (rows'
        # triggers and constraints are checked all the same); JSON text is read as jsonb.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(adapted(row))
        return
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"  # SQLite reads JSON as text
    per_statement = max(1, min(_ROWS_PER_STATEMENT, _max_params() // len(fields)))

    def flat(part: list[tuple]) -> list:
        params = []
        for row in part:
            params.extend(adapted(row))
        return params

    def statement(count: int) -> str:
        return f"INSERT INTO {table} ({names}) VALUES " + ", ".join([marks] * count)

    remaining = iter(rows)
    tail: list[tuple] = []

    def full_statements():
        while True:
            part = list(islice(remaining, per_statement))
            if len(part) < per_statement:
                tail.extend(part)
                return
            yield flat(part)

    with connection.cursor() as cursor:
        # executemany: the statement is prepared (and its placeholders converted) once
        cursor.executemany(statement(per_statement), full_statements())
        if tail:
            cursor.execute(statement(len(tail)), flat(tail))


_ROWS_PER_STATEMENT = 500


def _max_params() -> int:
    """Parameters one statement may carry: Django's figure for SQLite (999) is the limit of
    SQLite builds before 3.32; ask the library itself when it can say."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return connection.features.max_query_params or 65535


@contextmanager
def large_write_cache(megabytes: int = 32):
    """SQLite: a larger page cache for the length of a bulk write. A 100,000-receipt import
    into a table that keeps its indexes touches every page of ten indexes; in the default
    2 MB cache the dirty pages spill to the WAL and are read back, up to twice the time of the
    INSERTs. Set back afterwards, so a web process's connections keep the small default."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


# Below this many rows a bulk insert keeps the indexes: dropping them changes the schema,
# which makes every other connection prepare its statements again.
INDEXES_AFTER_ROWS = 10_000


@contextmanager
def indexes_built_after(model, adding: int, at_least: int | None = None):
    """SQLite, inside a transaction: around a bulk INSERT of `adding` rows, at least
    `at_least` (default INDEXES_AFTER_ROWS) and at least as many as the table holds (a first
    ledger of 100,000 receipts), the table's plain indexes are dropped and then created again
    from their own SQL: one sorted pass per index instead of a B-tree insertion per row per
    index (about half the time of the INSERTs into the receipts' ten indexes). Unique indexes
    and constraints stay, so every row is checked against them as always. SQLite's DDL is
    transactional: if anything fails the indexes come back with the rollback; readers keep
    their snapshot. On PostgreSQL (DROP INDEX would lock readers out) and for smaller inserts
    nothing changes."""
    if connection.vendor != "sqlite" or adding < (at_least or INDEXES_AFTER_ROWS):
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes are dropped and built again inside a transaction only")
    table = model._meta.db_table
    # a savepoint of its own: whatever fails inside rolls the dropped indexes back with it,
    # even if the caller catches the error and commits the rest
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        if cursor.fetchone()[0] > adding:
            indexes = []
        else:
            cursor.execute(f'PRAGMA index_list("{table}")')
            plain = {row[1] for row in cursor.fetchall() if not row[2] and row[3] == "c"}
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL ORDER BY name",
                [table],
            )
            indexes = [(name, sql) for name, sql in cursor.fetchall() if name in plain]
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _name, sql in indexes:
            cursor.execute(sql)


def new_ids(
    model, last_id: int, columns: list[str], rows: list[tuple], key: tuple[int, ...]
) -> list[int]:
    """The ids the database gave `rows`, just inserted after `last_id`, in their order.

    Alone in the table (SQLite's write lock; usually PostgreSQL too) the ids are the next
    len(rows) numbers. Otherwise rows are matched by the columns at the positions in `key`
    against what was written, leaving out rows another session inserted meanwhile.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MIN(id), MAX(id) FROM {table} WHERE id > %s", [last_id])
        count, first, last = cursor.fetchone()
    if count == len(rows) and (not rows or last - first + 1 == count):
        return list(range(first, last + 1)) if rows else []
    waiting: dict[tuple, list[int]] = {}
    for position, row in enumerate(rows):
        waiting.setdefault(tuple(row[i] for i in key), []).append(position)
    ids = [0] * len(rows)
    written = (
        model.objects.filter(pk__gt=last_id)
        .order_by("pk")
        .values_list("pk", *(columns[i] for i in key))
    )
    for pk, *values in written.iterator(chunk_size=20_000):
        positions = waiting.get(tuple(values))
        if positions:
            ids[positions.pop(0)] = pk
    return ids
