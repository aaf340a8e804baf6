import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from audit.commands import SystemCommand
from audit.services import record

from .backup import pg_tool, pg_url


class Command(SystemCommand):
    help = "Restore a backup made by `luoshi backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"{source} does not exist")
        tables = connection.introspection.table_names()
        if tables:
            # Restoring over live data would mix two histories and break the audit trail.
            raise CommandError(
                f"the database is not empty ({len(tables)} tables); restore into an empty one"
            )
        if connection.vendor == "sqlite":
            connection.close()
            backup = sqlite3.connect(source)
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"{source} is not an intact SQLite backup")
            destination = sqlite3.connect(connection.settings_dict["NAME"])
            with destination:
                backup.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")
            destination.close()
            backup.close()
        elif connection.vendor == "postgresql":
            connection.close()
            subprocess.run(
                [
                    pg_tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={pg_url(connection.settings_dict)}",
                    str(source),
                ],
                check=True,
            )
        else:
            raise CommandError(f"no restore method for {connection.vendor}")
        # Checked with this installation's key before anything is added to it.
        from audit.anchors import verify_trail

        report = verify_trail(only_chain=True)
        # The restored trail says it was restored, when and from which file (as "luoshi restore").
        record(
            "backup.restored",
            None,
            after={"file": source.name, "bytes": source.stat().st_size},
            object_type="backup",
            object_repr=source.name,
        )
        self.stdout.write(f"Restored {source}.")
        self._anchor(report)

    def _anchor(self, report) -> None:
        """The restored trail must verify with this installation's audit key; then the anchor
        file gets a `restore` line, so anchors of the replaced history are not held against
        it. Otherwise the data stays restored, and the command fails saying why."""
        from audit.anchors import anchor_file, verify_trail, write_anchor

        if not report.ok:
            raise CommandError(
                f"the restored audit trail does not verify with this audit key (first bad event "
                f"{report.bad_id}: {report.problem}). The audit key is not in the backup: set "
                "LUOSHI_AUDIT_KEY (or put the audit_key file into LUOSHI_DATA_DIR) to the key of "
                "the installation the backup came from, then run `luoshi audit_verify`."
            )
        head = verify_trail(only_chain=True)  # with the restore's own event
        write_anchor(kind="restore", event_id=head.head_id, hash=head.head_hash, count=head.checked)
        self.stdout.write(
            f"Audit trail verified with this audit key ({report.checked} events); "
            f"restore anchored in {anchor_file()}."
        )
