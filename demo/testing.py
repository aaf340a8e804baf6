"""The demo, loaded once per test session and copied into each test that asks for it.

Moved from common/testing.py: it loads the demo (demo.loader), and common sits below every
domain app (see the layers in common/tests/test_layers.py).
"""

#: tables written only by database triggers (funding/rollup_triggers.py, common/stamps.py)
TRIGGER_MAINTAINED = {
    "reporting_datastamp",
    "funding_receiptunitmonth",
    "funding_receiptcitymonth",
    "funding_receiptshareddoc",
}


class DemoCopy:
    """The rows `load_demo` writes, taken once per session, copied into a test in milliseconds.

    Loading the demo through the services takes seconds; a test that asks for it gets instead
    an exact copy of the rows a load wrote (same ids, timestamps and audit hashes, so the hash
    chain still verifies), inserted inside the test's own transaction: a `db` test rolls it
    back, a transactional test's flush removes it. Tables the demo did not write (the seeded
    calendar, content types) are left as they are, as a fresh load would leave them.
    """

    SCHEMA = "demo_copy"  # SQLite: the name the copy is attached under

    def __init__(self, connection):
        self.vendor = connection.vendor
        self.tables: list[str] = []  # tables the demo wrote
        self.replaced: list[str] = []  # of those, tables that had rows before (emptied first)
        self.path = None  # SQLite: the file holding the loaded database
        self.rows: dict[str, bytes] = {}  # PostgreSQL: each table's rows in COPY text format
        self.sequences: dict[str, int] = {}  # PostgreSQL: id sequence → the copy's highest id

    @classmethod
    def take(cls, connection) -> "DemoCopy":
        """Load the demo once and keep its rows; the database is left as it was."""
        copy = cls(connection)
        if connection.vendor == "sqlite":
            copy._take_sqlite(connection)
        elif connection.vendor == "postgresql":
            copy._take_postgresql(connection)
        else:
            raise NotImplementedError(connection.vendor)
        assert copy.tables, "load_demo wrote no rows"
        # Tables kept by triggers from the rows copied (the receipt rollups): copying them as
        # well would count every receipt twice.
        copy.tables = [t for t in copy.tables if t not in TRIGGER_MAINTAINED]
        copy.replaced = [t for t in copy.replaced if t not in TRIGGER_MAINTAINED]
        # nor may their id sequences be set back under the rows the triggers just wrote
        copy.sequences = {
            name: value
            for name, value in copy.sequences.items()
            if not any(name.startswith(f"{table}_") for table in TRIGGER_MAINTAINED)
        }
        # Deleting rows here would meet the append-only triggers; a load starts the trail.
        assert "audit_auditevent" not in copy.replaced, "the audit trail was not empty"
        return copy

    def restore(self, connection) -> None:
        """Insert the demo's rows, in one transaction (a savepoint inside a test's)."""
        from django.db import transaction

        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for table in self.replaced:
                cursor.execute(f'DELETE FROM "{table}"')
            if self.vendor == "sqlite":
                self.attach(connection)
                for table in self.tables:
                    # "WHERE true" keeps SQLite from its row-transfer shortcut, which skips the
                    # bookkeeping of deferred foreign keys: a parent copied after its children
                    # would leave them counted as orphans and the COMMIT would fail.
                    cursor.execute(
                        f'INSERT INTO main."{table}" '
                        f'SELECT * FROM {self.SCHEMA}."{table}" WHERE true'
                    )
            else:
                for table in self.tables:
                    with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(self.rows[table])
                # Later inserts must not collide with the copied ids (setval is not rolled
                # back, which is harmless: a sequence only has to stay above the ids in use).
                # SQLite's AUTOINCREMENT counters follow inserted ids by themselves.
                if self.sequences:
                    cursor.execute(
                        "SELECT "
                        + ", ".join(
                            f"setval('{sequence}', {highest})"
                            for sequence, highest in self.sequences.items()
                        )
                    )

    # SQLite: the loaded database is copied to a file with the backup API, the test database
    # is put back as it was, and the file is attached to the test connection read-only.

    def _take_sqlite(self, connection) -> None:
        import sqlite3
        from pathlib import Path

        from demo.loader import load_demo

        name = connection.settings_dict["NAME"]
        # The copy's file is named after the test database's file (TEST NAME in settings),
        # which also keeps the copies of parallel sessions (pytest-xdist) apart.
        assert str(name) != ":memory:" and "mode=memory" not in str(name), name
        self.path = Path(f"{name}.demo")
        before = Path(f"{name}.before-demo")
        connection.ensure_connection()
        assert not connection.in_atomic_block, "the copy is taken outside any test"
        tables = connection.introspection.django_table_names(only_existing=True)
        _sqlite_backup(connection.connection, before)
        try:
            load_demo()
            _sqlite_backup(connection.connection, self.path)
            with connection.cursor() as cursor:
                cursor.execute("ATTACH DATABASE %s AS before_demo", [str(before)])
                try:
                    for table in tables:
                        main, old = f'main."{table}"', f'before_demo."{table}"'
                        cursor.execute(
                            f"SELECT EXISTS (SELECT * FROM {main} EXCEPT SELECT * FROM {old}) "
                            f"OR EXISTS (SELECT * FROM {old} EXCEPT SELECT * FROM {main}), "
                            f"EXISTS (SELECT * FROM {old})"
                        )
                        wrote, had_rows = cursor.fetchone()
                        if wrote:
                            self.tables.append(table)
                            if had_rows:
                                self.replaced.append(table)
                finally:
                    cursor.execute("DETACH DATABASE before_demo")
            # Back to the state before the load (the demo's rows stay only in the copy).
            source = sqlite3.connect(before)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        finally:
            before.unlink(missing_ok=True)

    def attach(self, connection) -> None:
        """Attach the copy to this SQLite connection (new connections: `attach_on_connect`)."""
        databases = connection.connection.execute("PRAGMA database_list").fetchall()
        if not any(row[1] == self.SCHEMA for row in databases):
            connection.connection.execute(
                f"ATTACH DATABASE ? AS {self.SCHEMA}", [f"file:{self.path}?mode=ro"]
            )

    def attach_on_connect(self, sender, connection, **kwargs) -> None:
        if connection.vendor == "sqlite" and self.path is not None:
            self.attach(connection)

    # PostgreSQL: the demo is loaded inside a transaction, its rows read with COPY, and the
    # transaction rolled back.

    def _take_postgresql(self, connection) -> None:
        from django.db import transaction

        from demo.loader import load_demo

        assert not connection.in_atomic_block, "the copy is taken outside any test"
        tables = connection.introspection.django_table_names(only_existing=True)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:

            def fingerprints() -> dict[str, tuple[int, str]]:
                # One round trip: per table the row count and a digest of its rows as text.
                cursor.execute(
                    " UNION ALL ".join(
                        f"SELECT '{table}', count(*), "
                        "coalesce(md5(string_agg(demo_row::text, '|' "
                        "ORDER BY demo_row::text)), '') "
                        f'FROM "{table}" AS demo_row'
                        for table in tables
                    )
                )
                return {table: (count, digest) for table, count, digest in cursor.fetchall()}

            before = fingerprints()
            load_demo()
            after = fingerprints()
            for table in tables:
                if after[table] == before[table]:
                    continue
                self.tables.append(table)
                if before[table][0]:
                    self.replaced.append(table)
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    self.rows[table] = b"".join(bytes(block) for block in copy)
                for sequence in connection.introspection.get_sequences(cursor, table):
                    cursor.execute(f'SELECT max("{sequence["column"]}") FROM "{table}"')
                    self.sequences[sequence["name"]] = cursor.fetchone()[0]
            transaction.set_rollback(True, using=connection.alias)

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _sqlite_backup(source, path) -> None:
    """Copy a whole SQLite database into a new file, readable without WAL side files."""
    import sqlite3

    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
