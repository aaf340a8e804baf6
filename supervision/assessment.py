"""The annual assessment (考核, design §8): pure rules on exact numbers, and the read that feeds
them (figures from the one read model, work items from `policy`).

A rules version (`AssessmentRules`) gives the numbers (weights, bonus step and cap) and the
method. For a task department as of D, with rules R:
- `default-1` (method `rate`):
  funding_score = R.funding_weight × min(rate, 1), rate exact, rounded half up to 2 decimals;
  items_score = R.items_weight × (led items done on or before their due date) / (led items due
  on or before D); no such item: the full weight;
- `default-2` (method `progress`, the default since the third round):
  funding_score = R.funding_weight × min(rate / time progress, 1), half up to 2 decimals (at
  31 December time progress is 1, so it equals `default-1`'s);
  items_score = R.items_weight × (on time + ½ × late) / due, where late = done after the due
  date but by D; no led item due: scored on money alone, funding_score × R.items_weight /
  R.funding_weight, half up to 2 decimals;
- both: bonus = R.bonus_per_step × ⌊(rate − 1) × 100 / R.bonus_step_percent⌋ above 100%, at
  most R.bonus_cap (against the annual target); total = the sum; rank by total, ties share a
  rank (1, 1, 3).
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, Q

from common.dates import DAY, format_date_zh
from common.money import format_wan
from common.percent import format_percent, half_up, ratio_decimal
from org.period import ReportingPeriod
from reporting.read_model import SYSTEM, figures_for

from .models import ScoringMethod

CENT = Decimal("0.01")
#: the scoring methods a rules version names (`AssessmentRules.method`)
RATE = ScoringMethod.RATE.value
PROGRESS = ScoringMethod.PROGRESS.value
#: the version used when a year has none of its own (design §8, third round)
DEFAULT_CODE = "default-2"
HALF = Fraction(1, 2)


def _fraction(value) -> Fraction:
    return Fraction(str(value)) if not isinstance(value, Fraction) else value


@dataclass(frozen=True)
class Rules:
    """The numbers of a rules version (`AssessmentRules`), as plain values. `Rules()` is
    `default-1`; `DEFAULT_2` is `default-2`."""

    code: str = "default-1"
    funding_weight: Fraction = Fraction(70)
    items_weight: Fraction = Fraction(30)
    bonus_step_percent: int = 10
    bonus_per_step: Fraction = Fraction(2)
    bonus_cap: Fraction = Fraction(10)
    method: str = RATE

    @classmethod
    def of(cls, rules) -> "Rules":
        return cls(
            code=rules.code,
            funding_weight=_fraction(rules.funding_weight),
            items_weight=_fraction(rules.items_weight),
            bonus_step_percent=int(rules.bonus_step_percent),
            bonus_per_step=_fraction(rules.bonus_per_step),
            bonus_cap=_fraction(rules.bonus_cap),
            method=rules.method,
        )

    @property
    def against_progress(self) -> bool:
        return self.method == PROGRESS


DEFAULT_1 = Rules()
DEFAULT_2 = Rules(code="default-2", method=PROGRESS)


def funding_share(rate: Fraction, rules: Rules, progress: Fraction = Fraction(1)) -> Fraction:
    """The share of the funding weight earned, exactly: min(rate, 1) (`rate`), or
    min(rate / time progress, 1) (`progress`). No money earns nothing; money before any time
    has passed (time progress 0, by month in January) earns it all."""
    if not rules.against_progress:
        return min(rate, Fraction(1))
    if rate <= 0:
        return Fraction(0)
    if progress <= 0:
        return Fraction(1)
    return min(rate / progress, Fraction(1))


def funding_score(rate: Fraction, rules: Rules, progress: Fraction = Fraction(1)) -> Decimal:
    return half_up(rules.funding_weight * funding_share(rate, rules, progress))


def bonus_steps(rate: Fraction, rules: Rules) -> int:
    """Full steps of `bonus_step_percent` percentage points above 100%."""
    if rate <= 1:
        return 0
    return math.floor((rate - 1) * 100 / rules.bonus_step_percent)


def bonus(rate: Fraction, rules: Rules) -> Decimal:
    return half_up(min(rules.bonus_per_step * bonus_steps(rate, rules), rules.bonus_cap))


def items_exact(
    done_on_time: int, due: int, rules: Rules, *, late: int = 0, funding: Decimal | None = None
) -> Fraction:
    """The work items score before rounding. `funding` (the rounded funding score) is what a
    unit with no led item due is scored on under `progress`."""
    if due == 0:
        if not rules.against_progress:
            return rules.items_weight
        if not rules.funding_weight:
            # a version that gives money no points has nothing to scale: nothing earned
            return Fraction(0)
        return _fraction(funding or 0) * rules.items_weight / rules.funding_weight
    if not rules.against_progress:
        return rules.items_weight * Fraction(done_on_time, due)
    return rules.items_weight * (done_on_time + HALF * late) / due


def items_score(
    done_on_time: int, due: int, rules: Rules, *, late: int = 0, funding: Decimal | None = None
) -> Decimal:
    return half_up(items_exact(done_on_time, due, rules, late=late, funding=funding))


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
    #: led items due by D and done after their due date (but by D)
    late: int = 0

    @property
    def rate_percent(self) -> str:
        return _percent(self.rate)

    def as_json(self, rules: Rules = DEFAULT_1) -> dict:
        out = {
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
        if rules.against_progress:
            # `default-1`'s answer stays exactly what it was (design §8: kept exact)
            out["items_due"] = self.due
            out["items_on_time"] = self.done_on_time
            out["items_late"] = self.late
        return out


@dataclass
class AssessmentResult:
    year: int
    as_of: dt.date
    rules: Rules
    units: list[UnitScore]
    progress: Fraction = Fraction(1)

    def as_json(self) -> dict:
        """The `assess --format json` contract of design §5 (and §8 for `default-2`)."""
        out = {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "rules_version": self.rules.code,
        }
        if self.rules.against_progress:
            out["time_progress"] = ratio_decimal(self.progress)
        out["units"] = [u.as_json(self.rules) for u in self.units]
        return out


def _percent(rate: Fraction) -> str:
    return format_percent(rate, 2)


def _progress_line(period: ReportingPeriod) -> str:
    """时间进度 with the numbers it is made of (design §3)."""
    progress = _percent(period.progress)
    if period.mode == DAY:
        day = period.as_of.timetuple().tm_yday
        days = (dt.date(period.year, 12, 31) - dt.date(period.year, 1, 1)).days + 1
        return f"时间进度 = 第{day}天 ÷ 全年{days}天 = {progress}"
    months = period.progress * 12
    return f"时间进度 = 已过{months}个整月 ÷ 12个月 = {progress}"


def _funding_lines(score: UnitScore, rules: Rules, period: ReportingPeriod) -> list[str]:
    fw = half_up(rules.funding_weight)
    share = funding_share(score.rate, rules, period.progress)
    exact = half_up(rules.funding_weight * share, 4)
    rounded = f"四舍五入保留两位小数为{score.funding_score}分"
    if not rules.against_progress:
        return [
            f"资金得分 = {fw} × min(完成率, 100%) = {fw} × {_percent(share)} = {exact}，{rounded}"
        ]
    lines = [_progress_line(period)]
    if score.rate <= 0:
        lines.append(f"资金得分 = {fw} × min(完成率 ÷ 时间进度, 100%)：无到位资金，得0分")
    elif period.progress <= 0:
        lines.append(
            f"资金得分 = {fw} × min(完成率 ÷ 时间进度, 100%)：时间进度为0，"
            f"已有到位资金按100%计，{fw} × 100.00% = {exact}，{rounded}"
        )
    else:
        ratio = score.rate / period.progress
        lines.append(
            f"资金得分 = {fw} × min(完成率 ÷ 时间进度, 100%) = {fw} × "
            f"min({_percent(score.rate)} ÷ {_percent(period.progress)}, 100%) = {fw} × "
            f"min({_percent(ratio)}, 100%) = {fw} × {_percent(share)} = {exact}，{rounded}"
        )
    return lines


def _items_line(score: UnitScore, rules: Rules, as_of: dt.date) -> str:
    iw, fw = half_up(rules.items_weight), half_up(rules.funding_weight)
    by = f"截至{format_date_zh(as_of)}"
    exact = items_exact(
        score.done_on_time, score.due, rules, late=score.late, funding=score.funding_score
    )
    rounded = f"{half_up(exact, 4)}，四舍五入保留两位小数为{score.items_score}分"
    if not rules.against_progress:
        if score.due == 0:
            return f"工作事项得分：{by}无到期的牵头事项，得满分{iw}分"
        return (
            f"工作事项得分 = {iw} × 按期完成的牵头事项{score.done_on_time}项 ÷ "
            f"{by}到期的牵头事项{score.due}项 = {rounded}"
        )
    if score.due == 0:
        if not rules.funding_weight:
            return f"工作事项得分：{by}无到期的牵头事项，资金分值为0，得0分"
        return (
            f"工作事项得分：{by}无到期的牵头事项，按资金得分折算 = 资金得分"
            f"{score.funding_score} × {iw} ÷ {fw} = {rounded}"
        )
    return (
        f"工作事项得分 = {iw} × (按期完成的牵头事项{score.done_on_time}项 + ½ × "
        f"逾期完成的牵头事项{score.late}项) ÷ {by}到期的牵头事项{score.due}项 = {rounded}"
    )


def _bonus_line(score: UnitScore, rules: Rules) -> str:
    if score.rate <= 1:
        return "超额奖励：完成率未超过100%，得0分"
    steps = bonus_steps(score.rate, rules)
    raw = rules.bonus_per_step * steps
    above = half_up((score.rate - 1) * 100)
    if steps == 0:
        return (
            f"超额奖励：完成率超出100%的部分为{above}个百分点，"
            f"不满{rules.bonus_step_percent}个百分点，得0分"
        )
    capped = "" if raw <= rules.bonus_cap else f"，超过上限按{half_up(rules.bonus_cap)}分计"
    return (
        f"超额奖励：完成率超出100%的部分为{above}个百分点，"
        f"每满{rules.bonus_step_percent}个百分点奖励{half_up(rules.bonus_per_step)}分，"
        f"满{steps}档，{steps} × {half_up(rules.bonus_per_step)} = {half_up(raw)}分"
        f"{capped}，得{score.bonus}分"
    )


def calculation(score: UnitScore, rules: Rules, period: ReportingPeriod) -> list[str]:
    """Each step with its numbers, in Chinese, so the unit can check its score by hand."""
    return [
        f"完成率 = 到位资金{format_wan(score.secured, 4)}万元 ÷ 年度任务"
        f"{format_wan(score.target, 4)}万元 = {_percent(score.rate)}",
        *_funding_lines(score, rules, period),
        _bonus_line(score, rules),
        _items_line(score, rules, period.as_of),
        f"总分 = {score.funding_score} + {score.bonus} + {score.items_score} = {score.total}分",
    ]


def led_items(unit_ids: list[int], as_of: dt.date) -> dict[int, tuple[int, int, int]]:
    """Per unit: (led items done on or before their due date, led items done after it but
    by `as_of`, led items due on or before `as_of`), among the items the unit leads that
    were due on or before `as_of`. One query. `done_on` is read as the day the item was done
    (an item done after `as_of` was not done yet on `as_of`)."""
    from policy.models import Assignment

    done = Q(work_item__done_on__isnull=False)
    rows = (
        Assignment.objects.filter(role="lead", unit_id__in=unit_ids, work_item__due_on__lte=as_of)
        .values("unit_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=done & Q(work_item__done_on__lte=F("work_item__due_on"))),
            late=Count(
                "pk",
                filter=done
                & Q(work_item__done_on__gt=F("work_item__due_on"), work_item__done_on__lte=as_of),
            ),
        )
        .values_list("unit_id", "on_time", "late", "due")
    )
    return {unit_id: (on_time, late, due) for unit_id, on_time, late, due in rows}


def assess(period: ReportingPeriod, rules: Rules) -> AssessmentResult:
    """The assessment of every task department as of the period's date."""
    figures = figures_for(SYSTEM, period)
    items = led_items(figures.unit_ids, period.as_of)
    progress = period.progress
    scores = []
    for unit in figures.units:
        # a unit without a target to measure against has nothing left to secure: full rate
        rate = unit.rate if unit.rate is not None else Fraction(1)
        on_time, late, due = items.get(unit.unit_id, (0, 0, 0))
        f_score = funding_score(rate, rules, progress)
        b_score = bonus(rate, rules)
        i_score = items_score(on_time, due, rules, late=late, funding=f_score)
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
                late=late,
                funding_score=f_score,
                bonus=b_score,
                items_score=i_score,
                total=f_score + b_score + i_score,
            )
        )
    for score, rank in zip(scores, share_ranks([s.total for s in scores]), strict=True):
        score.rank = rank
        score.calculation = calculation(score, rules, period)
    scores.sort(key=lambda s: (s.rank, s.code))
    return AssessmentResult(
        year=period.year, as_of=period.as_of, rules=rules, units=scores, progress=progress
    )


def rules_for_year(year: int, code: str | None = None):
    """The rules version to use: `code` if given, else the year's own latest, else
    `default-2` (design §8: the default for every year since the third round). Raises
    `AssessmentRules.DoesNotExist` for an unknown code."""
    from .models import AssessmentRules

    if code:
        return AssessmentRules.objects.get(code=code)
    own = AssessmentRules.objects.filter(year=year).order_by("-created_at", "-id").first()
    return own or default_rules()


def default_rules():
    """`default-2` as the migration seeded it (an unsaved copy if the row is missing, e.g. in a
    test database that was flushed: the numbers are §8's either way)."""
    from .models import AssessmentRules

    found = AssessmentRules.objects.filter(code=DEFAULT_CODE).first()
    return found or AssessmentRules(**DEFAULT_RULES[DEFAULT_CODE])


#: the seeded versions (design §8), as the migrations write them
DEFAULT_RULES = {
    "default-1": {
        "code": "default-1",
        "name": "默认考核规则",
        "method": RATE,
        "funding_weight": 70,
        "items_weight": 30,
        "bonus_step_percent": 10,
        "bonus_per_step": 2,
        "bonus_cap": 10,
        "locked": True,
        "note": (
            "资金得分70分、工作事项得分30分；完成率超过100%的部分每满10个百分点奖励2分，最多10分。"
        ),
    },
    "default-2": {
        "code": "default-2",
        "name": "默认考核规则（对照时间进度）",
        "method": PROGRESS,
        "funding_weight": 70,
        "items_weight": 30,
        "bonus_step_percent": 10,
        "bonus_per_step": 2,
        "bonus_cap": 10,
        "locked": True,
        "note": (
            "资金得分 = 70 × min(完成率 ÷ 时间进度, 1)；完成率超过100%的部分每满10个百分点"
            "奖励2分，最多10分；工作事项得分 = 30 × (按期完成 + ½ × 逾期完成) ÷ 到期的牵头事项，"
            "无到期的牵头事项时按资金得分 × 30 ÷ 70 计。"
        ),
    },
}
