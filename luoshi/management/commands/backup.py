import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_tool(name: str) -> str:
    """A PostgreSQL client program, from PATH or Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise CommandError(f"{name} not found; install the postgresql-client package")
    return str(candidates[-1])


def pg_url(settings_dict: dict) -> str:
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or "5432"
    return f"postgresql://{auth}{host}:{port}/{settings_dict['NAME']}"


KEY_NOTICE = (
    "The audit key is NOT in this backup (by design: whoever holds a backup must not be able "
    "to re-seal a forged audit trail). Keep LUOSHI_AUDIT_KEY, or the file "
    "LUOSHI_DATA_DIR/audit_key, separately and safely: a restore needs the same key for "
    "`luoshi audit_verify` to accept the restored trail. Keep the anchor file "
    "(LUOSHI_DATA_DIR/audit_anchors.jsonl) with it, and the two-factor key (LUOSHI_TOTP_KEY "
    "or LUOSHI_DATA_DIR/totp_key): with another key the administrators' one-time codes are "
    "refused."
)


class Command(BaseCommand):
    help = "Write a consistent backup of the database to FILE (SQLite backup API or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        target = Path(file)
        if target.exists():
            raise CommandError(f"{target} exists; choose a new file name")
        if connection.vendor == "sqlite":
            # The online backup API copies a consistent snapshot while the app keeps running.
            source = sqlite3.connect(connection.settings_dict["NAME"])
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
            source.close()
        elif connection.vendor == "postgresql":
            subprocess.run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--file={target}",
                    pg_url(connection.settings_dict),
                ],
                check=True,
            )
        else:
            raise CommandError(f"no backup method for {connection.vendor}")
        self.stdout.write(f"Backup written to {target} ({target.stat().st_size:,} bytes).")
        self.stdout.write(KEY_NOTICE)
