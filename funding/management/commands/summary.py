import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import DateError, parse_date
from common.money import format_amount
from common.text import text_table
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
            raise CommandError(
                _("--as-of %(date)s is not in --year %(year)s.") % {"date": as_of, "year": year}
            )
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
        rows = [
            [_("Code"), _("Unit"), _("Target"), _("Secured"), _("Completion rate"), _("Status")]
        ]
        for unit in summary.units:
            percent = whole_percent(unit.rate)
            rows.append(
                [
                    unit.code,
                    unit.name,
                    format_amount(unit.target),
                    format_amount(unit.secured),
                    "-" if percent is None else f"{percent}%",
                    str(unit.status.label),
                ]
            )
        for line in text_table(rows, "<<>>><"):
            self.stdout.write(line)
