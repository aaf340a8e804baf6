from audit.commands import SystemCommand
from audit.models import AuditEvent
from demo import data
from demo.loader import load_demo


class Command(SystemCommand):
    help = "Load the seed-speech demo data (idempotent)."

    def handle(self, *args, **options):
        before = AuditEvent.objects.count()
        counts = load_demo()
        written = AuditEvent.objects.count() - before
        self.stdout.write(
            f"Demo loaded: {counts['units']} units, {counts['work_items']} work items, "
            f"{counts['targets']} {data.YEAR} targets; {written} changes written."
        )
        self.stdout.write(f"Demo logins (password for all: {data.DEMO_PASSWORD}):")
        for username, full_name, role, *_ in data.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role:<15} {full_name}")
