"""The triggers that keep the receipt rollups (`funding/rollups.py`) equal to the receipts.

Every INSERT, UPDATE and DELETE of a receipt adds to or takes from its unit × month row and its
month × channel × level row in the same statement, so in the same transaction, whichever code
wrote it. Rows that fall to zero receipts are removed. `rebuild` recomputes both tables from
the receipts (the migration that creates them, and `luoshi synth` after loading).
"""

from contextlib import contextmanager

from django.db import DatabaseError

UNIT = "funding_receiptunitmonth"
CITY = "funding_receiptcitymonth"
SHARED = "funding_receiptshareddoc"
# A row here pauses the triggers: a bulk insert (a ledger of 100,000 receipts) adds its rows
# to the rollups afterwards with one grouped statement, inside the same transaction
# (`bulk_insert`). The row never outlives that transaction, so no one else ever sees it.
PAUSE = "funding_rolluppause"
# PostgreSQL: the same pause as a setting local to the transaction (SET LOCAL), read by the
# insert trigger's WHEN so that paused rows do not even call the trigger function.
PAUSE_SETTING = "luoshi.rollups_paused"

# Only receipts in effect count (state 'active'): a voided, corrected or rejected receipt
# keeps its row (design §10) but leaves the rollups when its state changes, as if deleted.
# Migrations 0005 and 0008 install these triggers on a receipt table that has no state column
# yet: `install` and `rebuild` write the SQL for the table they find (`_counted`).
ACTIVE = "'active'"


def _live(row: str, counted: bool) -> str:
    """SQL true when `row` counts."""
    return f"{row}.state = {ACTIVE}" if counted else "1 = 1"


def _in_effect(counted: bool, alias: str = "") -> str:
    """A WHERE condition (with its AND) on receipts that count."""
    return f" AND {alias}state = {ACTIVE}" if counted else ""


# A 文号 is shared while receipts of two units carry it: checked on the receipts' doc_key
# index, a handful of rows per key.
SHARED_ADD = """
      INSERT {ignore} INTO funding_receiptshareddoc (doc_key)
      SELECT {row}.doc_key WHERE {row}.doc_key <> '' AND {live} AND EXISTS (
        SELECT 1 FROM funding_receipt WHERE doc_key = {row}.doc_key AND unit_id <> {row}.unit_id
        {effect}) {nothing};"""
SHARED_TAKE = """
      DELETE FROM funding_receiptshareddoc WHERE doc_key = {row}.doc_key AND NOT EXISTS (
        SELECT 1 FROM funding_receipt WHERE doc_key = {row}.doc_key {effect} AND unit_id <> (
          SELECT unit_id FROM funding_receipt WHERE doc_key = {row}.doc_key {effect} LIMIT 1));"""


def _shared_take(row: str, counted: bool) -> str:
    return SHARED_TAKE.format(row=row, effect=_in_effect(counted))


def _sqlite_shared_add(row: str, counted: bool) -> str:
    return SHARED_ADD.format(
        row=row,
        ignore="OR IGNORE",
        nothing="",
        live=_live(row, counted),
        effect=_in_effect(counted),
    )


def _pg_shared_add(row: str, counted: bool) -> str:
    return SHARED_ADD.format(
        row=row,
        ignore="",
        nothing="ON CONFLICT (doc_key) DO NOTHING",
        live=_live(row, counted),
        effect=_in_effect(counted),
    )


# --- SQLite: dates are stored as 'YYYY-MM-DD' text ---


def _sqlite_add(row: str, counted: bool) -> str:
    year = f"CAST(substr({row}.received_on, 1, 4) AS INTEGER)"
    month = f"CAST(substr({row}.received_on, 6, 2) AS INTEGER)"
    # INSERT … SELECT … WHERE: a row that does not count adds nothing (an upsert's SELECT
    # needs its WHERE to parse)
    live = _live(row, counted)
    return f"""
      INSERT INTO {UNIT} (unit_id, year, month, total, receipts)
      SELECT {row}.unit_id, {year}, {month}, {row}.amount, 1 WHERE {live}
      ON CONFLICT (unit_id, year, month)
      DO UPDATE SET total = total + excluded.total, receipts = receipts + 1;
      INSERT INTO {CITY} (year, month, channel_key, level, total, receipts)
      SELECT {year}, {month}, COALESCE({row}.channel_id, 0), {row}.level, {row}.amount, 1
      WHERE {live}
      ON CONFLICT (year, month, channel_key, level)
      DO UPDATE SET total = total + excluded.total, receipts = receipts + 1;"""


def _sqlite_take(row: str, counted: bool) -> str:
    year = f"CAST(substr({row}.received_on, 1, 4) AS INTEGER)"
    month = f"CAST(substr({row}.received_on, 6, 2) AS INTEGER)"
    unit_key = f"unit_id = {row}.unit_id AND year = {year} AND month = {month}"
    city_key = (
        f"year = {year} AND month = {month} AND channel_key = COALESCE({row}.channel_id, 0) "
        f"AND level = {row}.level"
    )
    live = _live(row, counted)
    return f"""
      UPDATE {UNIT} SET total = total - {row}.amount, receipts = receipts - 1
      WHERE {unit_key} AND {live};
      DELETE FROM {UNIT} WHERE {unit_key} AND receipts <= 0;
      UPDATE {CITY} SET total = total - {row}.amount, receipts = receipts - 1
      WHERE {city_key} AND {live};
      DELETE FROM {CITY} WHERE {city_key} AND receipts <= 0;"""


def _sqlite_install(counted: bool) -> list[str]:
    rollup_columns = "unit_id, received_on, amount, channel_id, level"
    shared_columns = "unit_id, doc_key"
    if counted:
        rollup_columns += ", state"
        shared_columns += ", state"
    return [
        f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_insert
        AFTER INSERT ON funding_receipt WHEN NOT EXISTS (SELECT 1 FROM {PAUSE})
        BEGIN {_sqlite_add("NEW", counted)} {_sqlite_shared_add("NEW", counted)} END""",
        f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_delete
        AFTER DELETE ON funding_receipt
        BEGIN {_sqlite_take("OLD", counted)} {_shared_take("OLD", counted)} END""",
        f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_update
        AFTER UPDATE OF {rollup_columns} ON funding_receipt
        BEGIN {_sqlite_take("OLD", counted)} {_sqlite_add("NEW", counted)} END""",
        f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_shared_update
        AFTER UPDATE OF {shared_columns} ON funding_receipt
        BEGIN {_shared_take("OLD", counted)} {_sqlite_shared_add("NEW", counted)} END""",
    ]


# "main.": a trigger missing here (a table remade by a migration loses its triggers) is not
# looked for in an attached database (the tests' demo snapshot, read-only)
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS main.funding_receipt_rollup_insert",
    "DROP TRIGGER IF EXISTS main.funding_receipt_rollup_delete",
    "DROP TRIGGER IF EXISTS main.funding_receipt_rollup_update",
    "DROP TRIGGER IF EXISTS main.funding_receipt_shared_update",
]

# --- PostgreSQL ---


def _pg_parts(row: str) -> tuple[str, str, str, str]:
    year = f"EXTRACT(YEAR FROM {row}.received_on)::integer"
    month = f"EXTRACT(MONTH FROM {row}.received_on)::integer"
    unit_key = f"unit_id = {row}.unit_id AND year = {year} AND month = {month}"
    city_key = (
        f"year = {year} AND month = {month} AND channel_key = COALESCE({row}.channel_id, 0) "
        f"AND level = {row}.level"
    )
    return year, month, unit_key, city_key


def _pg_take(row: str) -> str:
    _year, _month, unit_key, city_key = _pg_parts(row)
    return f"""
      UPDATE {UNIT} SET total = total - {row}.amount, receipts = receipts - 1 WHERE {unit_key};
      DELETE FROM {UNIT} WHERE {unit_key} AND receipts <= 0;
      UPDATE {CITY} SET total = total - {row}.amount, receipts = receipts - 1 WHERE {city_key};
      DELETE FROM {CITY} WHERE {city_key} AND receipts <= 0;"""


def _pg_add(row: str) -> str:
    year, month, _unit_key, _city_key = _pg_parts(row)
    return f"""
      INSERT INTO {UNIT} AS r (unit_id, year, month, total, receipts)
      VALUES ({row}.unit_id, {year}, {month}, {row}.amount, 1)
      ON CONFLICT (unit_id, year, month)
      DO UPDATE SET total = r.total + EXCLUDED.total, receipts = r.receipts + 1;
      INSERT INTO {CITY} AS r (year, month, channel_key, level, total, receipts)
      VALUES ({year}, {month}, COALESCE({row}.channel_id, 0), {row}.level, {row}.amount, 1)
      ON CONFLICT (year, month, channel_key, level)
      DO UPDATE SET total = r.total + EXCLUDED.total, receipts = r.receipts + 1;"""


def _postgres_install(counted: bool) -> list[str]:
    same_state = "AND OLD.state = NEW.state" if counted else ""
    return [
        f"""CREATE OR REPLACE FUNCTION funding_receipt_rollup() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM {PAUSE}) THEN
           RETURN NULL;
         END IF;
         IF TG_OP IN ('DELETE', 'UPDATE') THEN {_shared_take("OLD", counted)}
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN {_pg_shared_add("NEW", counted)}
         END IF;
         IF TG_OP = 'UPDATE' AND OLD.unit_id = NEW.unit_id
            AND OLD.received_on = NEW.received_on AND OLD.amount = NEW.amount
            AND OLD.channel_id IS NOT DISTINCT FROM NEW.channel_id AND OLD.level = NEW.level
            {same_state} THEN
           RETURN NULL;
         END IF;
         IF TG_OP IN ('DELETE', 'UPDATE') AND {_live("OLD", counted)} THEN {_pg_take("OLD")}
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') AND {_live("NEW", counted)} THEN {_pg_add("NEW")}
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS funding_receipt_rollup ON funding_receipt",
        "DROP TRIGGER IF EXISTS funding_receipt_rollup_insert ON funding_receipt",
        """CREATE TRIGGER funding_receipt_rollup AFTER UPDATE OR DELETE ON funding_receipt
       FOR EACH ROW EXECUTE FUNCTION funding_receipt_rollup()""",
        # Inserts have a trigger of their own whose WHEN skips the function while a bulk
        # insert has paused it: asking the pause table from PL/pgSQL for each of 100,000 rows
        # took a second; the setting is read without leaving the executor.
        f"""CREATE TRIGGER funding_receipt_rollup_insert AFTER INSERT ON funding_receipt
       FOR EACH ROW WHEN (COALESCE(current_setting('{PAUSE_SETTING}', true), '') <> 'on')
       EXECUTE FUNCTION funding_receipt_rollup()""",
    ]


POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS funding_receipt_rollup ON funding_receipt",
    "DROP TRIGGER IF EXISTS funding_receipt_rollup_insert ON funding_receipt",
    "DROP FUNCTION IF EXISTS funding_receipt_rollup()",
]

_STATEMENTS = {
    "sqlite": (_sqlite_install, SQLITE_REMOVE),
    "postgresql": (_postgres_install, POSTGRES_REMOVE),
}

_YEAR_MONTH = {
    "sqlite": (
        "CAST(substr(received_on, 1, 4) AS INTEGER)",
        "CAST(substr(received_on, 6, 2) AS INTEGER)",
    ),
    "postgresql": (
        "EXTRACT(YEAR FROM received_on)::integer",
        "EXTRACT(MONTH FROM received_on)::integer",
    ),
}


def _counted(connection) -> bool:
    """Whether the receipt table has its state column (from migration 0009 on)."""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "funding_receipt")
    return any(column.name == "state" for column in columns)


def install(connection) -> None:
    """(Re)install the triggers for the receipt table as it is now. SQLite's CREATE TRIGGER
    IF NOT EXISTS keeps an existing trigger: `remove` first to replace them."""
    counted = _counted(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PAUSE} (paused integer NOT NULL)")
        for sql in _STATEMENTS[connection.vendor][0](counted):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _STATEMENTS[connection.vendor][1]:
            cursor.execute(sql)
        schema = "main." if connection.vendor == "sqlite" else ""
        cursor.execute(f"DROP TABLE IF EXISTS {schema}{PAUSE}")


@contextmanager
def bulk_insert(connection, last_id: int):
    """Around a bulk INSERT of receipts (all given ids above `last_id`, nothing else written
    meanwhile), inside a transaction: the triggers pause, and the new rows are then added to
    the rollups in three grouped statements — the same sums, a fraction of the work."""
    if not connection.in_atomic_block:
        raise RuntimeError("a bulk insert of receipts runs inside a transaction")
    year, month = _YEAR_MONTH[connection.vendor]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:

        def resume() -> None:
            if postgres:
                cursor.execute("SELECT set_config(%s, '', true)", [PAUSE_SETTING])
            cursor.execute(f"DELETE FROM {PAUSE}")

        cursor.execute(f"INSERT INTO {PAUSE} (paused) VALUES (1)")
        if postgres:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PAUSE_SETTING])
        try:
            yield
        except BaseException:
            try:
                resume()  # the transaction may go on if the caller catches the error
            except DatabaseError:
                pass  # PostgreSQL aborted it: its rollback takes the pause away
            raise
        resume()
        cursor.execute(
            f"INSERT INTO {UNIT} AS r (unit_id, year, month, total, receipts) "
            f"SELECT unit_id, {year}, {month}, SUM(amount), COUNT(*) FROM funding_receipt "
            f"WHERE id > %s AND state = {ACTIVE} GROUP BY unit_id, {year}, {month} "
            "ON CONFLICT (unit_id, year, month) DO UPDATE "
            "SET total = r.total + excluded.total, receipts = r.receipts + excluded.receipts",
            [last_id],
        )
        cursor.execute(
            f"INSERT INTO {CITY} AS r (year, month, channel_key, level, total, receipts) "
            f"SELECT {year}, {month}, COALESCE(channel_id, 0), level, SUM(amount), COUNT(*) "
            f"FROM funding_receipt WHERE id > %s AND state = {ACTIVE} "
            f"GROUP BY {year}, {month}, COALESCE(channel_id, 0), level "
            "ON CONFLICT (year, month, channel_key, level) DO UPDATE "
            "SET total = r.total + excluded.total, receipts = r.receipts + excluded.receipts",
            [last_id],
        )
        cursor.execute(
            f"INSERT INTO {SHARED} (doc_key) SELECT DISTINCT n.doc_key FROM funding_receipt n "
            f"WHERE n.id > %s AND n.doc_key <> '' AND n.state = {ACTIVE} AND EXISTS "
            "(SELECT 1 FROM funding_receipt o WHERE o.doc_key = n.doc_key "
            f"AND o.unit_id <> n.unit_id AND o.state = {ACTIVE}) "
            "AND NOT EXISTS (SELECT 1 FROM funding_receiptshareddoc s WHERE s.doc_key = n.doc_key)",
            [last_id],
        )


def rebuild(connection) -> None:
    """Recompute the rollups from the receipts (inside the caller's transaction)."""
    year, month = _YEAR_MONTH[connection.vendor]
    where = f"WHERE state = {ACTIVE}" if _counted(connection) else "WHERE 1 = 1"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {UNIT}")
        cursor.execute(f"DELETE FROM {CITY}")
        cursor.execute(f"DELETE FROM {SHARED}")
        cursor.execute(
            f"INSERT INTO {SHARED} (doc_key) SELECT doc_key FROM funding_receipt "
            f"{where} AND doc_key <> '' GROUP BY doc_key HAVING COUNT(DISTINCT unit_id) > 1"
        )
        cursor.execute(
            f"INSERT INTO {UNIT} (unit_id, year, month, total, receipts) "
            f"SELECT unit_id, {year}, {month}, SUM(amount), COUNT(*) FROM funding_receipt "
            f"{where} GROUP BY unit_id, {year}, {month}"
        )
        cursor.execute(
            f"INSERT INTO {CITY} (year, month, channel_key, level, total, receipts) "
            f"SELECT {year}, {month}, COALESCE(channel_id, 0), level, SUM(amount), COUNT(*) "
            f"FROM funding_receipt {where} "
            f"GROUP BY {year}, {month}, COALESCE(channel_id, 0), level"
        )
