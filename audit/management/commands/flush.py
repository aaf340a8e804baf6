from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from audit import triggers


class Command(flush.Command):
    help = "Empty a test database, audit trail included (refused on any other database)."

    def handle(self, **options):
        connection = connections[options["database"]]
        name = str(connection.settings_dict["NAME"])
        test_name = str(connection.settings_dict.get("TEST", {}).get("NAME") or "")
        if not (name.startswith("test_") or (test_name and name == test_name)):
            raise CommandError(
                "flush would erase the append-only audit trail; it only runs on test databases."
            )
        # The triggers refuse DELETE/TRUNCATE on the audit table; lift them for the wipe only.
        triggers.remove(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
