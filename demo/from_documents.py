"""From the document to the work (design §12) in the demo: the office's unit aliases, a
meeting with its decisions, a team for the items of one measure, the counterpart
directory and projects included in a higher-level plan. Idempotent; changes no figure of
30 June 2024 (no receipt, no target)."""

import datetime as dt

from funding import services as funding
from funding.choices import Stage
from funding.models import Project
from org.models import Unit
from policy.drafting import services as drafting

# aliases the office added for names its documents use and the derivation does not make
ALIASES = [("城管执法局", "CGJ"), ("市城管执法局", "CGJ"), ("市城建投", "CTJT")]


def load_from_documents() -> None:
    units = {u.code: u for u in Unit.objects.all()}
    for alias, code in ALIASES:
        drafting.save_unit_alias(user=None, unit=units[code], alias=alias)
    if not Project.objects.filter(stage=Stage.INCLUDED).exists():
        _included_projects(units)
    _directory(units)


# two projects squeezed into higher-level plans before 30 June (stage 纳入计划): no money yet
INCLUDED = [
    ("FGW", "2024年中央预算内投资计划（城市更新方向）", "第二批", dt.date(2024, 6, 14), 12_000_000),
    ("SLJ", "省级水利发展资金项目库", "2024年第一批", dt.date(2024, 6, 25), 6_000_000),
]


def _included_projects(units) -> None:
    for code, plan, batch, on, amount in INCLUDED:
        project = (
            Project.objects.filter(unit=units[code], stage__in=[Stage.APPLIED, Stage.IN_REVIEW])
            .order_by("code")
            .first()
        )
        if project is None:  # loaded already: it is at 纳入计划 (or further)
            continue
        funding.advance_project(
            user=None,
            project=project,
            to_stage=Stage.INCLUDED,
            on=on,
            plan=plan,
            batch=batch,
            plan_amount=amount,
            note="已纳入上级投资计划，待下达资金",
        )


# the counterpart directory: data.COUNTERPARTS with the unit dealing with each and a person or
# two (names and numbers invented for the demo)
DIRECTORY_UNITS = [
    "FGW",
    "CZJ",
    "ZJJ",
    "JTJ",
    "SLJ",
    "ZRJ",
    "NYJ",
    "STJ",
    "JYJ",
    "WJW",
    "WLJ",
    "SWJ",
]
DIRECTORY_PEOPLE = [
    [("周建国", "处长", "0551-6260-0101"), ("林晓", "一级主任科员", "0551-6260-0102")],
    [("郑海燕", "副处长", "0551-6261-0201")],
    [("吴志强", "处长", "0551-6262-0301"), ("何静", "四级调研员", "0551-6262-0302")],
    [("钱文", "副处长", "0551-6263-0401")],
    [("孙涛", "处长", "0551-6264-0501")],
    [("冯丽", "副处长", "0551-6265-0601")],
    [("蒋鹏", "科长", "0551-6266-0701")],
    [("韩梅", "副处长", "0551-6267-0801")],
    [("曹阳", "处长", "0551-6268-0901")],
    [("彭博", "副处长", "0551-6269-1001")],
    [("邓颖", "处长", "0551-6270-1101")],
    [("许军", "副处长", "0551-6271-1201")],
]


def _directory(units) -> None:
    from demo import data
    from funding.directory import services as directory
    from funding.models import Counterpart

    for name, code, people in zip(
        data.COUNTERPARTS, DIRECTORY_UNITS, DIRECTORY_PEOPLE, strict=True
    ):
        counterpart = Counterpart.objects.filter(name=name).first()
        if counterpart is None:
            extra = [units["CTJT"]] if code == "ZJJ" else []
            counterpart = directory.save_counterpart(
                user=None,
                counterpart=None,
                name=name,
                level="provincial",
                units=[units[code], *extra],
            )
        for person, post, phone in people:
            directory.save_counterpart_person(
                user=None, counterpart=counterpart, name=person, post=post, phone=phone
            )
