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

# A 文号 is shared while receipts of two units carry it: checked on the receipts' doc_key
# index, a handful of rows per key.
SHARED_ADD = """
      INSERT {ignore} INTO funding_receiptshareddoc (doc_key)
      SELECT {row}.doc_key WHERE {row}.doc_key <> '' AND EXISTS (
        SELECT 1 FROM funding_receipt WHERE doc_key = {row}.doc_key AND unit_id <> {row}.unit_id)
      {nothing};"""
SHARED_TAKE = """
      DELETE FROM funding_receiptshareddoc WHERE doc_key = {row}.doc_key AND NOT EXISTS (
        SELECT 1 FROM funding_receipt WHERE doc_key = {row}.doc_key AND unit_id <> (
          SELECT unit_id FROM funding_receipt WHERE doc_key = {row}.doc_key LIMIT 1));"""


def _sqlite_shared_add(row: str) -> str:
    return SHARED_ADD.format(row=row, ignore="OR IGNORE", nothing="")


def _pg_shared_add(row: str) -> str:
    return SHARED_ADD.format(row=row, ignore="", nothing="ON CONFLICT (doc_key) DO NOTHING")


# --- SQLite: dates are stored as 'YYYY-MM-DD' text ---


def _sqlite_add(row: str) -> str:
    year = f"CAST(substr({row}.received_on, 1, 4) AS INTEGER)"
    month = f"CAST(substr({row}.received_on, 6, 2) AS INTEGER)"
    return f"""
      INSERT INTO {UNIT} (unit_id, year, month, total, receipts)
      VALUES ({row}.unit_id, {year}, {month}, {row}.amount, 1)
      ON CONFLICT (unit_id, year, month)
      DO UPDATE SET total = total + excluded.total, receipts = receipts + 1;
      INSERT INTO {CITY} (year, month, channel_key, level, total, receipts)
      VALUES ({year}, {month}, COALESCE({row}.channel_id, 0), {row}.level, {row}.amount, 1)
      ON CONFLICT (year, month, channel_key, level)
      DO UPDATE SET total = total + excluded.total, receipts = receipts + 1;"""


def _sqlite_take(row: str) -> str:
    year = f"CAST(substr({row}.received_on, 1, 4) AS INTEGER)"
    month = f"CAST(substr({row}.received_on, 6, 2) AS INTEGER)"
    unit_key = f"unit_id = {row}.unit_id AND year = {year} AND month = {month}"
    city_key = (
        f"year = {year} AND month = {month} AND channel_key = COALESCE({row}.channel_id, 0) "
        f"AND level = {row}.level"
    )
    return f"""
      UPDATE {UNIT} SET total = total - {row}.amount, receipts = receipts - 1 WHERE {unit_key};
      DELETE FROM {UNIT} WHERE {unit_key} AND receipts <= 0;
      UPDATE {CITY} SET total = total - {row}.amount, receipts = receipts - 1 WHERE {city_key};
      DELETE FROM {CITY} WHERE {city_key} AND receipts <= 0;"""


SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_insert
        AFTER INSERT ON funding_receipt WHEN NOT EXISTS (SELECT 1 FROM {PAUSE})
        BEGIN {_sqlite_add("NEW")} {_sqlite_shared_add("NEW")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_delete
        AFTER DELETE ON funding_receipt BEGIN {_sqlite_take("OLD")} {SHARED_TAKE.format(row="OLD")}
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_rollup_update
        AFTER UPDATE OF unit_id, received_on, amount, channel_id, level ON funding_receipt
        BEGIN {_sqlite_take("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS funding_receipt_shared_update
        AFTER UPDATE OF unit_id, doc_key ON funding_receipt
        BEGIN {SHARED_TAKE.format(row="OLD")} {_sqlite_shared_add("NEW")} END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS funding_receipt_rollup_insert",
    "DROP TRIGGER IF EXISTS funding_receipt_rollup_delete",
    "DROP TRIGGER IF EXISTS funding_receipt_rollup_update",
    "DROP TRIGGER IF EXISTS funding_receipt_shared_update",
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


POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION funding_receipt_rollup() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM {PAUSE}) THEN
           RETURN NULL;
         END IF;
         IF TG_OP IN ('DELETE', 'UPDATE') THEN {SHARED_TAKE.format(row="OLD")}
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN {_pg_shared_add("NEW")}
         END IF;
         IF TG_OP = 'UPDATE' AND OLD.unit_id = NEW.unit_id
            AND OLD.received_on = NEW.received_on AND OLD.amount = NEW.amount
            AND OLD.channel_id IS NOT DISTINCT FROM NEW.channel_id AND OLD.level = NEW.level THEN
           RETURN NULL;
         END IF;
         IF TG_OP IN ('DELETE', 'UPDATE') THEN {_pg_take("OLD")}
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN {_pg_add("NEW")}
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS funding_receipt_rollup ON funding_receipt",
    "DROP TRIGGER IF EXISTS funding_receipt_rollup_insert ON funding_receipt",
    """CREATE TRIGGER funding_receipt_rollup AFTER UPDATE OR DELETE ON funding_receipt
       FOR EACH ROW EXECUTE FUNCTION funding_receipt_rollup()""",
    # Inserts have a trigger of their own whose WHEN skips the function while a bulk insert
    # has paused it: asking the pause table from PL/pgSQL for each of 100,000 rows took a
    # second; the setting is read without leaving the executor.
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
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE),
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


def install(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PAUSE} (paused integer NOT NULL)")
        for sql in _STATEMENTS[connection.vendor][0]:
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _STATEMENTS[connection.vendor][1]:
            cursor.execute(sql)
        cursor.execute(f"DROP TABLE IF EXISTS {PAUSE}")


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
            f"WHERE id > %s GROUP BY unit_id, {year}, {month} "
            "ON CONFLICT (unit_id, year, month) DO UPDATE "
            "SET total = r.total + excluded.total, receipts = r.receipts + excluded.receipts",
            [last_id],
        )
        cursor.execute(
            f"INSERT INTO {CITY} AS r (year, month, channel_key, level, total, receipts) "
            f"SELECT {year}, {month}, COALESCE(channel_id, 0), level, SUM(amount), COUNT(*) "
            f"FROM funding_receipt WHERE id > %s "
            f"GROUP BY {year}, {month}, COALESCE(channel_id, 0), level "
            "ON CONFLICT (year, month, channel_key, level) DO UPDATE "
            "SET total = r.total + excluded.total, receipts = r.receipts + excluded.receipts",
            [last_id],
        )
        cursor.execute(
            f"INSERT INTO {SHARED} (doc_key) SELECT DISTINCT n.doc_key FROM funding_receipt n "
            "WHERE n.id > %s AND n.doc_key <> '' AND EXISTS (SELECT 1 FROM funding_receipt o "
            "WHERE o.doc_key = n.doc_key AND o.unit_id <> n.unit_id) "
            "AND NOT EXISTS (SELECT 1 FROM funding_receiptshareddoc s WHERE s.doc_key = n.doc_key)",
            [last_id],
        )


def rebuild(connection) -> None:
    """Recompute the rollups from the receipts (inside the caller's transaction)."""
    year, month = _YEAR_MONTH[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {UNIT}")
        cursor.execute(f"DELETE FROM {CITY}")
        cursor.execute(f"DELETE FROM {SHARED}")
        cursor.execute(
            f"INSERT INTO {SHARED} (doc_key) SELECT doc_key FROM funding_receipt "
            "WHERE doc_key <> '' GROUP BY doc_key HAVING COUNT(DISTINCT unit_id) > 1"
        )
        cursor.execute(
            f"INSERT INTO {UNIT} (unit_id, year, month, total, receipts) "
            f"SELECT unit_id, {year}, {month}, SUM(amount), COUNT(*) FROM funding_receipt "
            f"GROUP BY unit_id, {year}, {month}"
        )
        cursor.execute(
            f"INSERT INTO {CITY} (year, month, channel_key, level, total, receipts) "
            f"SELECT {year}, {month}, COALESCE(channel_id, 0), level, SUM(amount), COUNT(*) "
            f"FROM funding_receipt GROUP BY {year}, {month}, COALESCE(channel_id, 0), level"
        )
