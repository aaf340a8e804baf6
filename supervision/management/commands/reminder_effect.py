import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.text import text_table
from org.period import PeriodError, parse_period
from supervision.effect import effect_for


def _days(value) -> str:
    return "—" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Print the effect of urging (催办效果, design §11) per unit: urgings that reached "
        "someone, acknowledged, answered by an update, median working days to the answer. "
        "--format json prints {units: [{code, urgings, acknowledged, answered, "
        "median_workdays}]}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help="year (default: the as-of date's year)")
        parser.add_argument(
            "--as-of", dest="as_of", help="date, e.g. 2024-09-30 (default: the office's date)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year=None, as_of=None, format="text", **options):
        try:
            period = parse_period(year, as_of)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        effect = effect_for(period.year, period.as_of)
        if format == "json":
            self.stdout.write(json.dumps(effect.as_json(), ensure_ascii=False, indent=2))
            return
        rows = [
            [
                _("Unit"),
                _("Urgings"),
                _("Acknowledged"),
                _("Answered"),
                _("Median working days"),
            ]
        ]
        for unit, stats in effect.units:
            rows.append(
                [
                    unit.name,
                    str(stats.urgings),
                    str(stats.acknowledged),
                    str(stats.answered),
                    _days(stats.median_workdays),
                ]
            )
        for line in text_table(rows, "<>>>>"):
            self.stdout.write(line)
        total = effect.total
        self.stdout.write(
            _(
                "%(urgings)d urgings reached someone in %(year)s up to %(date)s: "
                "%(acknowledged)d acknowledged, %(answered)d answered by an update, median "
                "%(median)s working days."
            )
            % {
                "urgings": total.urgings,
                "year": period.year,
                "date": period.as_of.isoformat(),
                "acknowledged": total.acknowledged,
                "answered": total.answered,
                "median": _days(total.median_workdays),
            }
        )
