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
    _teams(units)
    _meeting(units)


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


# 一套班子 for the items of measure 七 (GZ-33…35): each unit's person responsible and contact
# person. The demo has logins for 住建局 only: these people are accounts without a usable
# password (they cannot log in; reminders reach them in the app and by their unit's channels).
TEAM_MEASURE = "七"
TEAM_PEOPLE = {
    "FGW": (("fgw_zhao", "发改委副主任 赵立新"), ("fgw_qian", "发改委投资科 钱敏")),
    "JKQ": (("jkq_sun", "经开区副主任 孙卫东"), ("jkq_li", "经开区经发局 李倩")),
    "KJJ": (("kjj_zhou", "科技局副局长 周明"), ("kjj_wu", "科技局规划科 吴婷")),
    "SJJ": (("sjj_zheng", "审计局副局长 郑华"), ("sjj_wang", "审计局办公室 王磊")),
    "CZJ": (("czj_feng", "财政局副局长 冯涛"), ("czj_chen", "财政局经建科 陈晨")),
    "TJJ": (("tjj_chu", "统计局副局长 褚云"), ("tjj_wei", "统计局综合科 卫红")),
}


def _teams(units) -> None:
    from django.contrib.auth import get_user_model

    from org.services import create_person
    from policy.models import WorkItem
    from policy.team.services import save_item_team

    User = get_user_model()
    people = {}
    for code, pair in TEAM_PEOPLE.items():
        for (username, full_name), role in zip(pair, ("unit_head", "unit_officer"), strict=True):
            person = User.objects.filter(username=username).first() or create_person(
                user=None,
                username=username,
                full_name=full_name,
                role=role,
                password=None,
                unit=units[code],
            )
            people.setdefault(code, []).append(person)
    items = WorkItem.objects.filter(measure__code=TEAM_MEASURE, policy__short_name="《意见》")
    for item in items.prefetch_related("assignments__unit"):
        for assignment in item.assignments.all():
            pair = people.get(assignment.unit.code)
            if pair and not item.teams.filter(unit=assignment.unit).exists():
                save_item_team(
                    user=None,
                    item=item,
                    unit=assignment.unit,
                    responsible=pair[0],
                    contact=pair[1],
                )


# a 调度会 after mid-year and its decisions (followed as work items HY<n>-01…); due from mid
# August, after the demo's July reminder runs, so those stay as they were
MEETING = {
    "title": "2024年上半年对上争取工作调度会",
    "kind": "dispatch",
    "held_on": dt.date(2024, 7, 5),
    "attendees": "市发展改革委、市财政局、市住房和城乡建设局、市自然资源和规划局、市交通运输局、"
    "市水利局主要负责同志；市政府督查室",
    "summary": "听取上半年对上争取工作进展汇报，研究部署下半年重点工作。",
}
DECISIONS = [
    (
        "梳理2025年城市更新项目储备清单，9月底前报省发展改革委",
        "FGW",
        ["ZJJ", "ZRJ"],
        dt.date(2024, 9, 30),
    ),
    (
        "加快城镇老旧小区改造中央补助资金申报，8月底前完成材料报送",
        "ZJJ",
        ["CZJ"],
        dt.date(2024, 8, 30),
    ),
    ("协调解决城北片区改造项目用地报批问题", "ZRJ", ["ZJJ"], dt.date(2024, 9, 13)),
    ("加快专项债券资金支付进度，确保9月底前支付率达到80%", "CZJ", ["FGW"], dt.date(2024, 9, 30)),
]


def _meeting(units) -> None:
    from org.models import Leader
    from policy.meetings import services as meetings
    from policy.models import Meeting

    if Meeting.objects.filter(title=MEETING["title"]).exists():
        return
    meeting = meetings.save_meeting(
        user=None, meeting=None, chair=Leader.objects.get(name="张明"), **MEETING
    )
    for title, lead, co, due in DECISIONS:
        meetings.add_decision(
            user=None,
            meeting=meeting,
            title=title,
            lead_unit=units[lead],
            co_units=[units[c] for c in co],
            due_on=due,
        )
