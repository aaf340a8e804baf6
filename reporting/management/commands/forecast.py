import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.money import format_amount
from common.text import text_table
from funding.rules import FiguresEncoder
from org.period import PeriodError, add_period_arguments, parse_period
from reporting.forecast import city_forecast, forecast_json, forecasts_for
from reporting.read_model import SYSTEM


class Command(BaseCommand):
    help = "Print each unit's year-end forecast with its range and method (design §3.1)."

    def add_arguments(self, parser):
        add_period_arguments(parser, mode=False)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year=None, as_of=None, format="text", **options):
        try:
            period = parse_period(year, as_of)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            self.stdout.write(
                json.dumps(forecast_json(period), ensure_ascii=False, indent=2, cls=FiguresEncoder)
            )
            return
        forecasts = forecasts_for(SYSTEM, period)
        secured, forecast, low, high = city_forecast(forecasts)
        self.stdout.write(
            _(
                "Year-end forecast for %(year)s as of %(date)s: %(forecast)s "
                "(range %(low)s–%(high)s), %(secured)s secured so far."
            )
            % {
                "year": period.year,
                "date": period.as_of.isoformat(),
                "forecast": format_amount(forecast),
                "low": format_amount(low),
                "high": format_amount(high),
                "secured": format_amount(secured),
            }
        )
        self.stdout.write("")
        rows = [[_("Code"), _("Unit"), _("Secured"), _("Forecast"), _("Low"), _("High")]]
        for f in forecasts:
            rows.append(
                [
                    f.code,
                    f.name,
                    format_amount(f.secured),
                    format_amount(f.forecast),
                    format_amount(f.low),
                    format_amount(f.high),
                ]
            )
        for line in text_table(rows, "<<>>>>"):
            self.stdout.write(line)
        self.stdout.write("")
        for f in forecasts:
            self.stdout.write(f"{f.code} {f.name}: {f.method}")
