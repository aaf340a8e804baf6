import json

from django.core.management.base import CommandError

from audit.commands import SystemCommand
from common.text import text_table
from funding.rules import FiguresEncoder
from org.period import MODES, PeriodError, parse_period


class Command(SystemCommand):
    help = "Print the assessment (design §8) of a year as of a date, with the worked calculation."

    def add_arguments(self, parser):
        parser.add_argument("--year", help="year (default: the as-of date's year)")
        parser.add_argument("--as-of", dest="as_of", help="date, e.g. 2024-12-31")
        parser.add_argument("--mode", choices=MODES, help="time progress by day or by month")
        parser.add_argument(
            "--rules", help="rules version, e.g. default-1 (default: the year's, else default-2)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year=None, as_of=None, mode=None, rules=None, format="text", **opts):
        from supervision.assessment import Rules, assess, rules_for_year
        from supervision.models import AssessmentRules

        try:
            period = parse_period(year, as_of, mode)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        try:
            chosen = rules_for_year(period.year, rules)
        except AssessmentRules.DoesNotExist:
            raise CommandError(f"no rules version “{rules}”") from None
        result = assess(period, Rules.of(chosen))
        if format == "json":
            self.stdout.write(
                json.dumps(result.as_json(), ensure_ascii=False, indent=2, cls=FiguresEncoder)
            )
            return
        self.stdout.write(
            f"{period.year}年度对上争取考核（截至{period.as_of.isoformat()}，"
            f"规则版本 {result.rules.code}）"
        )
        rows = [["名次", "编码", "任务部门", "资金得分", "超额奖励", "事项得分", "总分"]]
        for unit in result.units:
            rows.append(
                [
                    str(unit.rank),
                    unit.code,
                    unit.name,
                    str(unit.funding_score),
                    str(unit.bonus),
                    str(unit.items_score),
                    str(unit.total),
                ]
            )
        for line in text_table(rows, "><<>>>>"):
            self.stdout.write(line)
        for unit in result.units:
            self.stdout.write("")
            self.stdout.write(f"{unit.rank}. {unit.name}（{unit.code}）")
            for line in unit.calculation:
                self.stdout.write(f"   {line}")
        self.stdout.write("")
        self.stdout.write(
            f"{len(result.units)} task departments assessed with {result.rules.code}."
        )
