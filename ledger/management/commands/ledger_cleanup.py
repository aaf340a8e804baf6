from django.core.management.base import BaseCommand

from ledger import storage


class Command(BaseCommand):
    help = "Delete uploaded ledgers older than 24 hours (cron-able; uploads and serve do it too)."

    def handle(self, *args, **options):
        removed = storage.cleanup()
        self.stdout.write(f"ledger_cleanup: {removed} file(s) deleted from {storage.folder()}")
