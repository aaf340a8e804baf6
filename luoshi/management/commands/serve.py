from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app (waitress) and print the URL and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from ledger import storage
        from luoshi.wsgi import application

        storage.cleanup()  # uploaded ledgers older than a day go, even without an upload
        self.stdout.write(f"Luoshi is running at http://{host}:{port}/  (Ctrl+C to stop)")
        self._print_demo_logins()
        serve(application, host=host, port=port, threads=threads, ident="luoshi")

    def _print_demo_logins(self) -> None:
        from demo import data

        names = [row[0] for row in data.DEMO_USERS]
        present = set(
            get_user_model().objects.filter(username__in=names).values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(f"Demo logins (password {data.DEMO_PASSWORD}):")
        for username, full_name, role, *_ in data.DEMO_USERS:
            if username in present:
                self.stdout.write(f"  {username:<10} {role:<15} {full_name}")
