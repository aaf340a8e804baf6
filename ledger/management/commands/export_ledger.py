from audit.commands import SystemCommand
from ledger.export import export_ledger


class Command(SystemCommand):
    help = "Write the ledger workbook (.xlsx) in the import format."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, help="only this year's targets and receipts")

    def handle(self, *args, file, year=None, **options):
        counts = export_ledger(file, year=year)
        rows = ", ".join(f"{key} {count}" for key, count in counts.items())
        self.stdout.write(f"{file}: {rows}")
