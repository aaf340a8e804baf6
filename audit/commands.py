"""Management commands that write run as a named system actor, never as nobody."""

from django.core.management.base import BaseCommand

from .context import acting_as, system_actor


class SystemCommand(BaseCommand):
    """A command whose writes are audited as "luoshi <command>".

    Every audit event recorded while it runs (the services it calls take `user=None`) names the
    command as its actor. `common/tests/test_commands.py` fails when a command of the project
    neither derives from this class nor is declared as writing nothing.
    """

    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def execute(self, *args, **options):
        with acting_as(system_actor(self.command_name())):
            return super().execute(*args, **options)
