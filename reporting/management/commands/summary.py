import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.money import format_amount
from common.percent import rate_text
from common.text import text_table
from funding.rules import FiguresEncoder, bulletin_sentence
from org.period import PeriodError, add_period_arguments, parse_period
from reporting.read_model import SYSTEM, figures_for


class Command(BaseCommand):
    help = "Print the funding figures of a year as of a date (design §3)."

    def add_arguments(self, parser):
        add_period_arguments(parser)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year=None, as_of=None, mode=None, format="text", **options):
        try:
            period = parse_period(year, as_of, mode)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        figures = figures_for(SYSTEM, period)
        summary = figures.summary
        if format == "json":
            self.stdout.write(
                json.dumps(figures.as_json(), ensure_ascii=False, indent=2, cls=FiguresEncoder)
            )
            return
        self.stdout.write(bulletin_sentence(summary))
        self.stdout.write("")
        rows = [
            [_("Code"), _("Unit"), _("Target"), _("Secured"), _("Completion rate"), _("Status")]
        ]
        for unit in summary.units:
            rows.append(
                [
                    unit.code,
                    unit.name,
                    format_amount(unit.target),
                    format_amount(unit.secured),
                    "-" if unit.rate is None else rate_text(unit.rate),
                    str(unit.status.label),
                ]
            )
        for line in text_table(rows, "<<>>><"):
            self.stdout.write(line)
        if figures.doubtful_claims:
            self.stdout.write("")
            self.stdout.write(
                _("To be verified (the same document number claimed by several units):")
            )
            for claim in figures.doubtful_claims:
                shares = "、".join(
                    f"{r.unit.name} {format_amount(r.amount)}" for r in claim["receipts"]
                )
                self.stdout.write(f"  {claim['doc_no']}: {shares}")
