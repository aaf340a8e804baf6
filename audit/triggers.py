"""The triggers that make the audit trail append-only, per database vendor.

UPDATE is always refused. DELETE is refused unless the row is older than the minimum retention
(180 days, fixed here so no setting can shorten it), which is what `luoshi audit_prune` removes.
Anchors written by pruning are append-only too.
"""

MIN_RETENTION_DAYS = 180

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN OLD.at > datetime('now', '-{MIN_RETENTION_DAYS} days')
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_anchor_no_update BEFORE UPDATE ON audit_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_anchor_no_delete BEFORE DELETE ON audit_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_anchor_no_update",
    "DROP TRIGGER IF EXISTS audit_anchor_no_delete",
]
POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_auditevent'
            AND OLD.at < now() - interval '{MIN_RETENTION_DAYS} days' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_anchor_no_change ON audit_auditanchor",
    """CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_auditanchor
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_anchor_no_change ON audit_auditanchor",
]

_STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE),
}


def _run(connection, which: int) -> None:
    # Older migrations run this before the anchor table exists: skip what is not there yet.
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for sql in _STATEMENTS.get(connection.vendor, ([], []))[which]:
            if "audit_auditanchor" in sql and "audit_auditanchor" not in tables:
                continue
            cursor.execute(sql)


def install(connection) -> None:
    _run(connection, 0)


def remove(connection) -> None:
    _run(connection, 1)
