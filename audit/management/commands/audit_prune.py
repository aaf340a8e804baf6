from django.conf import settings
from django.core.management.base import CommandError

from audit.commands import SystemCommand
from audit.services import prune_events
from audit.triggers import MIN_RETENTION_DAYS


class Command(SystemCommand):
    help = "Delete audit events older than the retention period (at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        if days < MIN_RETENTION_DAYS:
            raise CommandError(f"retention must be at least {MIN_RETENTION_DAYS} days")
        count = prune_events(days=days)
        if not count:
            self.stdout.write("Nothing older than the retention period.")
            return
        self.stdout.write(f"Pruned {count} audit events older than {days} days.")
