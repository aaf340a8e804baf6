import time
from pathlib import Path

from django.core.management.base import CommandError

from audit.commands import SystemCommand
from org.period import MODES, PeriodError, parse_period
from supervision.documents import RenderError


class Command(SystemCommand):
    help = "Write the bulletin (design §7) of a year as of a date, as .docx or .pdf by suffix."

    def add_arguments(self, parser):
        parser.add_argument("--year", help="year (default: the as-of date's year)")
        parser.add_argument("--as-of", dest="as_of", help="date, e.g. 2024-06-30")
        parser.add_argument("--mode", choices=MODES, help="time progress by day or by month")
        parser.add_argument("--out", required=True, help="FILE.docx or FILE.pdf")

    def handle(self, *args, year=None, as_of=None, mode=None, out="", **options):
        from supervision.services import build_bulletin

        path = Path(out)
        suffix = path.suffix.lower()
        if suffix not in (".docx", ".pdf"):
            raise CommandError("--out must end in .docx or .pdf")
        if not path.parent.exists():
            raise CommandError(f"the folder {path.parent} does not exist")
        try:
            period = parse_period(year, as_of, mode)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        try:
            content, docx, pdf = build_bulletin(period, pdf=suffix == ".pdf")
        except RenderError as exc:
            raise CommandError(str(exc)) from None
        data = pdf if suffix == ".pdf" else docx
        path.write_bytes(data)
        self.stdout.write(content["sentence"])
        self.stdout.write(
            f"Wrote {path} ({len(data):,} bytes, {len(content['league'])} task departments) "
            f"in {time.perf_counter() - started:.1f} s."
        )
