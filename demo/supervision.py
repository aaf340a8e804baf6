"""Demo of the supervision loop in July 2024: a dispatch round half answered and the issued
bulletin of 30 June 2024 (its sentence is the speech's). Idempotent; called from the loader."""

import datetime as dt
import warnings

from django.utils import timezone

from org.models import Unit
from org.period import ReportingPeriod
from supervision import services as supervision
from supervision.dispatch import known_figures
from supervision.documents import soffice
from supervision.models import Bulletin, Dispatch

from . import data

ROUND_TITLE = "2024年7月对上争取工作调度会"
ROUND_UNITS = ["ZJJ", "JTJ", "SLJ", "NYJ", "CGJ", "MZJ"]
ROUND_QUESTIONS = [
    "下半年拟申报的重点项目及预计争取金额",
    "当前存在的困难和需要协调解决的问题",
]
ANSWERS = {
    "JTJ": [
        "国省道改造提升工程拟申报车购税资金约8000万元，9月前完成申报。",
        "项目用地预审进度偏慢，需自然资源部门协调。",
    ],
    "SLJ": ["城区防洪排涝工程拟申报中央预算内投资约6000万元。", "地方配套资金压力较大。"],
    "NYJ": ["高标准农田建设项目拟争取省级专项约3000万元。", "项目储备不足，正在加快前期工作。"],
}
BULLETIN_AS_OF = data.AS_OF  # 2024-06-30


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def load_supervision() -> None:
    units = {u.code: u for u in Unit.objects.filter(code__in=ROUND_UNITS)}
    period = ReportingPeriod(BULLETIN_AS_OF.year, BULLETIN_AS_OF)
    dispatch = Dispatch.objects.filter(title=ROUND_TITLE).first()
    if dispatch is None:
        dispatch = supervision.open_dispatch(
            user=None,
            title=ROUND_TITLE,
            meeting_on=dt.date(2024, 7, 12),
            due_on=dt.date(2024, 7, 10),
            units=[units[c] for c in ROUND_UNITS],
            questions=ROUND_QUESTIONS,
            as_of=BULLETIN_AS_OF,
            note="请各单位于7月10日前报送，资金数据由系统自动填入。",
            at=_at(dt.date(2024, 7, 1), 9),
        )
        known = known_figures([u.pk for u in units.values()], period)
        for day, (code, answers) in enumerate(ANSWERS.items(), start=8):
            request = dispatch.requests.get(unit=units[code])
            supervision.answer_dispatch(
                user=None,
                request=request,
                answers=answers,
                known=known[units[code].pk],
                at=_at(dt.date(2024, 7, day)),
            )
    if Bulletin.objects.filter(year=period.year, as_of=BULLETIN_AS_OF).exists():
        return
    if soffice() is None:  # no LibreOffice here (not root?): the rest of the demo still loads
        warnings.warn(
            "LibreOffice is missing: the demo's 30 June bulletin is not issued "
            "(bash scripts/runtime-deps.sh as root installs it).",
            stacklevel=2,
        )
        return
    supervision.issue_bulletin(user=None, period=period, at=_at(dt.date(2024, 7, 3)))
