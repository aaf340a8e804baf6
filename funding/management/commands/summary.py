import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.dates import DateError, parse_date
from common.money import format_amount
from funding.figures import FiguresEncoder, bulletin_sentence, whole_percent
from funding.querysets import compute_summary
from org.models import SiteConfig


class Command(BaseCommand):
    help = "Print the funding figures of a year as of a date (design §3)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="year (default: the as-of date's year)")
        parser.add_argument("--as-of", dest="as_of", help="date, e.g. 2024-06-30 (default: today)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year=None, as_of=None, format="text", **options):
        try:
            as_of = parse_date(as_of) if as_of else timezone.localdate()
        except DateError as exc:
            raise CommandError(str(exc)) from None
        year = year or as_of.year
        if as_of.year != year:
            raise CommandError(f"--as-of {as_of} is not in --year {year}")
        config = SiteConfig.objects.first()
        mode = config.time_progress_mode if config else "day"
        summary = compute_summary(year, as_of, mode=mode)
        if format == "json":
            self.stdout.write(
                json.dumps(summary.as_json(), ensure_ascii=False, indent=2, cls=FiguresEncoder)
            )
            return
        self.stdout.write(bulletin_sentence(summary))
        self.stdout.write("")
        for unit in summary.units:
            percent = whole_percent(unit.rate)
            self.stdout.write(
                f"{unit.code:<8} {unit.name:<16} {format_amount(unit.target):>12} "
                f"{format_amount(unit.secured):>12} {percent if percent is not None else '-':>4}% "
                f"{unit.status.label}"
            )
