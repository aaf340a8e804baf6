"""The triggers that make the audit table append-only, per database vendor."""

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
]

_STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE),
}


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _STATEMENTS.get(connection.vendor, ([], []))[0]:
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _STATEMENTS.get(connection.vendor, ([], []))[1]:
            cursor.execute(sql)
