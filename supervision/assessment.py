"""The annual assessment (考核, design §8): pure rules on exact numbers, and the read that feeds
them (figures from the one read model, work items from `policy`).

For a task department as of D, with rules R (default `default-1`: 70 / 30, 2 points per full
10 percentage points above 100%, at most 10):
- funding_score = R.funding_weight × min(rate, 1), rate exact, rounded half up to 2 decimals;
- bonus = R.bonus_per_step × ⌊(rate − 1) × 100 / R.bonus_step_percent⌋ above 100%, at most
  R.bonus_cap;
- items_score = R.items_weight × (led items done on or before their due date) / (led items due
  on or before D); no such item: the full weight;
- total = the sum; rank by total, ties share a rank (1, 1, 3).
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q

from common.dates import format_date_zh
from common.money import format_wan
from funding.figures import ratio_decimal
from reporting.figures import SYSTEM, figures_for
from reporting.period import ReportingPeriod

CENT = Decimal("0.01")


def half_up(value: Fraction, places: int = 2) -> Decimal:
    """An exact value rounded half up to `places` decimals."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fraction(value) -> Fraction:
    return Fraction(str(value)) if not isinstance(value, Fraction) else value


@dataclass(frozen=True)
class Rules:
    """The numbers of a rules version (`AssessmentRules`), as plain values."""

    code: str = "default-1"
    funding_weight: Fraction = Fraction(70)
    items_weight: Fraction = Fraction(30)
    bonus_step_percent: int = 10
    bonus_per_step: Fraction = Fraction(2)
    bonus_cap: Fraction = Fraction(10)

    @classmethod
    def of(cls, rules) -> "Rules":
        return cls(
            code=rules.code,
            funding_weight=_fraction(rules.funding_weight),
            items_weight=_fraction(rules.items_weight),
            bonus_step_percent=int(rules.bonus_step_percent),
            bonus_per_step=_fraction(rules.bonus_per_step),
            bonus_cap=_fraction(rules.bonus_cap),
        )


def funding_score(rate: Fraction, rules: Rules) -> Decimal:
    return half_up(rules.funding_weight * min(rate, Fraction(1)))


def bonus_steps(rate: Fraction, rules: Rules) -> int:
    """Full steps of `bonus_step_percent` percentage points above 100%."""
    if rate <= 1:
        return 0
    return math.floor((rate - 1) * 100 / rules.bonus_step_percent)


def bonus(rate: Fraction, rules: Rules) -> Decimal:
    return half_up(min(rules.bonus_per_step * bonus_steps(rate, rules), rules.bonus_cap))


def items_score(done_on_time: int, due: int, rules: Rules) -> Decimal:
    if due == 0:
        return half_up(rules.items_weight)
    return half_up(rules.items_weight * Fraction(done_on_time, due))


def share_ranks(totals: list[Decimal]) -> list[int]:
    """Competition ranks of `totals` (highest first; equal totals share the better rank)."""
    ordered = sorted(totals, reverse=True)
    return [ordered.index(total) + 1 for total in totals]


@dataclass
class UnitScore:
    code: str
    name: str
    unit_id: int
    target: int
    secured: int
    rate: Fraction
    done_on_time: int
    due: int
    funding_score: Decimal
    bonus: Decimal
    items_score: Decimal
    total: Decimal
    rank: int = 0
    calculation: list[str] = field(default_factory=list)

    @property
    def rate_percent(self) -> str:
        return _percent(self.rate)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "completion_rate": ratio_decimal(self.rate),
            "funding_score": self.funding_score,
            "bonus": self.bonus,
            "items_score": self.items_score,
            "total": self.total,
            "rank": self.rank,
            "calculation": self.calculation,
        }


@dataclass
class AssessmentResult:
    year: int
    as_of: dt.date
    rules: Rules
    units: list[UnitScore]

    def as_json(self) -> dict:
        """The `assess --format json` contract of design §5."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "rules_version": self.rules.code,
            "units": [u.as_json() for u in self.units],
        }


def _percent(rate: Fraction) -> str:
    return f"{half_up(rate * 100)}%"


def calculation(score: UnitScore, rules: Rules, as_of: dt.date) -> list[str]:
    """Each step with its numbers, in Chinese, so the unit can check its score by hand."""
    fw, iw = half_up(rules.funding_weight), half_up(rules.items_weight)
    exact_funding = rules.funding_weight * min(score.rate, Fraction(1))
    lines = [
        f"完成率 = 到位资金{format_wan(score.secured, 4)}万元 ÷ 年度任务"
        f"{format_wan(score.target, 4)}万元 = {_percent(score.rate)}",
        f"资金得分 = {fw} × min(完成率, 100%) = {fw} × {_percent(min(score.rate, Fraction(1)))}"
        f" = {half_up(exact_funding, 4)}，四舍五入保留两位小数为{score.funding_score}分",
    ]
    if score.rate <= 1:
        lines.append("超额奖励：完成率未超过100%，得0分")
    else:
        steps = bonus_steps(score.rate, rules)
        raw = rules.bonus_per_step * steps
        above = half_up((score.rate - 1) * 100)
        if steps == 0:
            lines.append(
                f"超额奖励：完成率超出100%的部分为{above}个百分点，"
                f"不满{rules.bonus_step_percent}个百分点，得0分"
            )
        else:
            capped = "" if raw <= rules.bonus_cap else f"，超过上限按{half_up(rules.bonus_cap)}分计"
            lines.append(
                f"超额奖励：完成率超出100%的部分为{above}个百分点，"
                f"每满{rules.bonus_step_percent}个百分点奖励{half_up(rules.bonus_per_step)}分，"
                f"满{steps}档，{steps} × {half_up(rules.bonus_per_step)} = {half_up(raw)}分"
                f"{capped}，得{score.bonus}分"
            )
    if score.due == 0:
        lines.append(f"工作事项得分：截至{format_date_zh(as_of)}无到期的牵头事项，得满分{iw}分")
    else:
        lines.append(
            f"工作事项得分 = {iw} × 按期完成的牵头事项{score.done_on_time}项 ÷ "
            f"截至{format_date_zh(as_of)}到期的牵头事项{score.due}项 = "
            f"{half_up(rules.items_weight * Fraction(score.done_on_time, score.due), 4)}，"
            f"四舍五入保留两位小数为{score.items_score}分"
        )
    lines.append(
        f"总分 = {score.funding_score} + {score.bonus} + {score.items_score} = {score.total}分"
    )
    return lines


def led_items(unit_ids: list[int], as_of: dt.date) -> dict[int, tuple[int, int]]:
    """Per unit: (led items done on or before their due date, led items due on or before D),
    among the items the unit leads that were due on or before `as_of`. One query."""
    from django.db.models import F

    from policy.models import Assignment

    rows = (
        Assignment.objects.filter(role="lead", unit_id__in=unit_ids, work_item__due_on__lte=as_of)
        .values("unit_id")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(
                    work_item__done_on__isnull=False,
                    work_item__done_on__lte=F("work_item__due_on"),
                ),
            ),
        )
        .values_list("unit_id", "on_time", "due")
    )
    return {unit_id: (on_time, due) for unit_id, on_time, due in rows}


def assess(period: ReportingPeriod, rules: Rules) -> AssessmentResult:
    """The assessment of every task department as of the period's date."""
    figures = figures_for(SYSTEM, period)
    items = led_items(figures.unit_ids, period.as_of)
    scores = []
    for unit in figures.units:
        # a unit without a target to measure against has nothing left to secure: full rate
        rate = unit.rate if unit.rate is not None else Fraction(1)
        on_time, due = items.get(unit.unit_id, (0, 0))
        f_score = funding_score(rate, rules)
        b_score = bonus(rate, rules)
        i_score = items_score(on_time, due, rules)
        scores.append(
            UnitScore(
                code=unit.code,
                name=unit.name,
                unit_id=unit.unit_id,
                target=unit.target,
                secured=unit.secured,
                rate=rate,
                done_on_time=on_time,
                due=due,
                funding_score=f_score,
                bonus=b_score,
                items_score=i_score,
                total=f_score + b_score + i_score,
            )
        )
    for score, rank in zip(scores, share_ranks([s.total for s in scores]), strict=True):
        score.rank = rank
        score.calculation = calculation(score, rules, period.as_of)
    scores.sort(key=lambda s: (s.rank, s.code))
    return AssessmentResult(year=period.year, as_of=period.as_of, rules=rules, units=scores)


def rules_for_year(year: int, code: str | None = None):
    """The rules version to use: `code` if given, else the year's own latest, else
    `default-1`. Raises `AssessmentRules.DoesNotExist` for an unknown code."""
    from .models import AssessmentRules

    if code:
        return AssessmentRules.objects.get(code=code)
    own = AssessmentRules.objects.filter(year=year).order_by("-created_at", "-id").first()
    return own or default_rules()


def default_rules():
    """`default-1` as the migration seeded it (an unsaved copy if the row is missing, e.g. in a
    test database that was flushed: the numbers are §8's either way)."""
    from .models import AssessmentRules

    found = AssessmentRules.objects.filter(code="default-1").first()
    return found or AssessmentRules(code="default-1", name="默认考核规则", locked=True)
