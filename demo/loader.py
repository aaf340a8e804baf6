"""Loads the demo situation through the services, idempotently."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.services import mark_demo_account
from audit.context import Actor, acting_as
from common.money import YUAN_PER_WAN
from funding import services as funding
from funding.choices import ContactDirection, Stage
from funding.models import Channel, Contact, Lead, Project, Target
from org import services as org
from org.models import Leader, Unit
from policy import services as policy
from policy.models import Aspect, Measure, ProgressReport, WorkItem

from . import data, striving
from .from_documents import load_from_documents
from .reminders import load_reminders
from .supervision import load_supervision
from .supervision_plans import load_supervision_plans

LEAD_UNIT_KEYWORDS = [
    ("水利", "SLJ"),
    ("防洪", "SLJ"),
    ("供水", "SLJ"),
    ("国省道", "JTJ"),
    ("道路", "JTJ"),
    ("停车", "JTJ"),
    ("排水防涝", "CGJ"),
    ("燃气", "ZJJ"),
    ("老旧小区", "ZJJ"),
    ("安居", "ZJJ"),
    ("管网", "ZJJ"),
    ("城中村", "ZJJ"),
    ("城市更新专项规划", "ZRJ"),
    ("林地", "LYJ"),
    ("用地", "ZRJ"),
    ("增减挂钩", "ZRJ"),
    ("农业", "NYJ"),
    ("农业发展银行", "NYJ"),
    ("教育", "JYJ"),
    ("学校", "JYJ"),
    ("卫生", "WJW"),
    ("医疗", "WJW"),
    ("生态", "STJ"),
    ("文化和旅游", "WLJ"),
    ("文旅", "WLJ"),
    ("历史文化", "WLJ"),
    ("步行街", "SWJ"),
    ("商业", "SWJ"),
    ("人才", "RSJ"),
    ("技能", "RSJ"),
    ("科技", "KJJ"),
    ("制造业", "JXJ"),
    ("产业园区", "JXJ"),
    ("产业转移", "JKQ"),
    ("数字", "SJZ"),
    ("债券", "CZJ"),
    ("引导基金", "CZJ"),
    ("城投", "CTJT"),
    ("国企", "GZW"),
    ("养老", "MZJ"),
    ("挂职", "FGW"),
    ("专家", "KJJ"),
    ("对口联系", "FGW"),
    ("开发银行", "CTJT"),
    ("金融工具", "FGW"),
    ("融资", "CTJT"),
    ("特别国债", "FGW"),
    ("项目库", "FGW"),
    ("重点项目", "FGW"),
    ("城市更新项目", "ZJJ"),
    ("老城片区", "ZJJ"),
]


def lead_unit_code(title: str) -> str:
    for keyword, code in LEAD_UNIT_KEYWORDS:
        if keyword in title:
            return code
    return "FGW"


def split_amount(total_wan: int, parts: int, rng: random.Random) -> list[int]:
    """Split a 万元 total into `parts` positive multiples of 10万元 that add up exactly."""
    if total_wan < parts * 10:
        return [total_wan]
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total_wan / sum(weights)
    pieces = [max(10, int(w * scale) // 10 * 10) for w in weights[:-1]]
    pieces.append(total_wan - sum(pieces))
    return pieces


def load_demo(stdout=None) -> dict[str, int]:
    """Create the demo situation; running it again changes nothing."""
    with acting_as(Actor(name="luoshi demo")), transaction.atomic():
        rng = random.Random(20240630)
        units = _units()
        leaders = _leaders(units)
        _targets(units)
        channels = _channels()
        _policy_and_items(units, leaders)
        _receipts_and_projects(units, channels, rng)
        _pipeline(units, channels, rng)
        _guides_leads_contacts(units, leaders, rng)
        _users(units, leaders)
        striving.load(units)
        load_supervision_plans()
        org.save_site_config(
            user=None, name=data.GOVERNMENT, default_year=data.YEAR, default_as_of=data.AS_OF
        )
        load_supervision()  # demo/supervision.py: a dispatch round, the 30 June bulletin
        # demo/from_documents.py: aliases, a meeting, teams, 纳入计划 — before the reminders,
        # which go to the teams it names
        load_from_documents()
        load_reminders()  # demo/reminders.py: July 2024's reminders, ZJJ's robots
    return {
        "units": Unit.objects.count(),
        "work_items": WorkItem.objects.count(),
        "targets": Target.objects.filter(year=data.YEAR).count(),
    }


def _units() -> dict[str, Unit]:
    units = {}
    for order, (code, name, kind, _target, _secured) in enumerate(data.UNITS, start=1):
        unit, _ = org.save_unit(user=None, code=code, name=name, kind=kind, sort_order=order)
        units[code] = unit
    for code in ("ZJJ", "FGW", "JTJ"):
        for section in ("办公室", "规划计划科", "项目管理科"):
            org.save_section(user=None, unit=units[code], name=section)
    return units


def _leaders(units: dict[str, Unit]) -> dict[str, Leader]:
    leaders = {}
    for order, (name, title, codes) in enumerate(data.LEADERS, start=1):
        leader, _ = org.save_leader(
            user=None, name=name, title=title, sort_order=order, oversees=[units[c] for c in codes]
        )
        leaders[name] = leader
    return leaders


def _targets(units: dict[str, Unit]) -> None:
    code, original, raised_at, reason = data.TARGET_RAISE
    for unit_code, _name, _kind, target_wan, _secured in data.UNITS:
        if target_wan is None:
            continue
        unit = units[unit_code]
        if Target.objects.filter(unit=unit, year=data.YEAR).exists():
            continue
        first = original if unit_code == code else target_wan
        funding.set_target(user=None, unit=unit, year=data.YEAR, amount=first * YUAN_PER_WAN)
        if first != target_wan:
            funding.set_target(
                user=None,
                unit=unit,
                year=data.YEAR,
                amount=target_wan * YUAN_PER_WAN,
                reason=reason,
                at=raised_at,
            )


def _channels() -> dict[str, Channel]:
    return {
        code: funding.save_channel(user=None, code=code, name=name, level=level)
        for code, name, level in data.CHANNELS
    }


# Measures whose support the higher level reserves for the 48 key old urban districts.
FOR_KEY_DISTRICTS = {"一", "三", "四", "五"}


def item_goal(title: str, due: dt.date, measure_code: str) -> str:
    """What this work item must have achieved by its deadline, in the item's own words."""
    by = f"{due.month}月{due.day}日前"
    if title.startswith("争取"):
        goal = f"{by}取得“{title[2:]}”的上级批复或资金下达文件"
    else:
        goal = f"{by}{title}，形成工作成果报市督查室"
    if measure_code in FOR_KEY_DISTRICTS:
        goal += "，用足对48个重点老旧城区的倾斜支持政策"
    return goal + "。"


def _policy_and_items(units: dict[str, Unit], leaders: dict[str, Leader]) -> None:
    aspects = {
        code: policy.save_aspect(user=None, code=code, name=name, sort_order=i)
        for i, (code, name) in enumerate(data.ASPECTS, start=1)
    }
    doc = policy.save_policy(user=None, **data.POLICY)
    measures = {
        code: policy.save_measure(
            user=None, policy=doc, aspect=aspects[aspect], code=code, text=text
        )
        for aspect, code, text in data.MEASURES
    }
    overseer = {u: name for name, _title, codes in data.LEADERS for u in codes}
    # Every unit takes part somewhere: units not leading anything become co-units in turn.
    leading = {lead_unit_code(title) for _m, title in data.WORK_ITEMS}
    supporters = [code for code, *_ in data.UNITS if code not in leading]
    rotation = supporters + [code for code, *_ in data.UNITS if code in leading]
    for i, (measure_code, title) in enumerate(data.WORK_ITEMS):
        code = f"GZ-{i + 1:02d}"
        lead = lead_unit_code(title)
        co = [rotation[i % len(rotation)], "CZJ" if i % 3 == 0 else "FGW"]
        co = list(dict.fromkeys(c for c in co if c != lead))
        due = dt.date(2024, 7 + i % 6, 28) if i % 7 else dt.date(2024, 6, 20)
        item, created = policy.save_work_item(
            user=None,
            policy=doc,
            code=code,
            title=title,
            lead_leader=leaders[overseer[lead]],
            lead_unit=units[lead],
            co_units=[units[c] for c in co],
            due_on=due,
            measure=measures[measure_code],
            goal=item_goal(title, due, measure_code),
        )
        # The steps end on the item's own deadline: none may fall after it.
        steps = [
            ("制定工作方案，明确责任科室和责任人", dt.date(2024, 6, 10), i % 5 != 4),
            (
                "完成项目梳理包装和申报材料",
                min(dt.date(2024, 6, 28), due - dt.timedelta(days=5)),
                i % 2 == 0,
            ),
            ("对上衔接，争取纳入上级计划或获得批复", due, False),
        ]
        for step_title, step_due, done in steps:
            policy.add_milestone(
                user=None,
                work_item=item,
                title=step_title,
                due_on=step_due,
                done_on=step_due - dt.timedelta(days=2) if done else None,
            )
        if i % 4 != 3 and not ProgressReport.objects.filter(work_item=item).exists():
            policy.file_progress_report(
                user=None,
                work_item=item,
                unit=units[lead],
                reported_on=dt.date(2024, 6, 25),
                percent=20 + (i * 13) % 60,
                text="已与省直对口部门开展对接，完成项目初步梳理，正在完善申报材料。",
                problems="项目前期手续尚不完备。" if i % 5 == 0 else "",
            )
    del aspects


def _receipts_and_projects(units, channels, rng: random.Random) -> None:
    channel_codes = [c for c, *_ in data.CHANNELS]
    for order, (unit_code, _name, _kind, _target, secured_wan) in enumerate(data.UNITS):
        if not secured_wan:
            continue
        unit = units[unit_code]
        parts = split_amount(secured_wan, 2 + order % 4, rng)
        months = sorted(rng.sample(range(1, 7), len(parts)))
        for n, (amount_wan, month) in enumerate(zip(parts, months, strict=True), start=1):
            channel = channels[channel_codes[(n + order * 2) % len(channel_codes)]]
            received_on = dt.date(2024, month, rng.randint(5, 28))
            doc_no = f"{data.DOC_PREFIX[channel.code]}{100 + rng.randint(1, 899)}号"
            project = _funded_project(unit, n, channel, amount_wan, received_on)
            funding.record_receipt(
                user=None,
                unit=unit,
                amount=amount_wan * YUAN_PER_WAN,
                received_on=received_on,
                doc_no=doc_no,
                project=project,
                channel=channel,
                repeat_ok=True,
            )
    # Money that arrived after the half-year: not in the 2024-06-30 figures.
    for unit_code, amount_wan, on, doc_no in [
        ("FGW", 2000, dt.date(2024, 7, 18), "发改投资〔2024〕1021号"),
        ("JTJ", 1500, dt.date(2024, 7, 25), "省财建〔2024〕688号"),
        *data.DOUBTFUL_CLAIM,
    ]:
        funding.record_receipt(
            user=None,
            unit=units[unit_code],
            amount=amount_wan * YUAN_PER_WAN,
            received_on=on,
            doc_no=doc_no,
            channel=channels["SJZX"],
            repeat_ok=True,
        )


PROJECT_NAMES = [
    "城区老旧小区改造",
    "城市地下管网更新",
    "老城片区综合提升",
    "重点道路改造",
    "公共服务设施补短板",
    "产业配套基础设施",
    "生态修复治理",
    "历史文化街区保护",
]


def _funded_project(unit, n, channel, amount_wan, received_on) -> Project:
    code = f"XM2024-{unit.code}-{n:02d}"
    existing = Project.objects.filter(code=code).first()
    if existing is not None:
        return existing
    name = f"{unit.name.removeprefix('市')}{PROJECT_NAMES[(n + len(unit.code)) % 8]}项目"
    applied = dt.date(2023, 11, 1) + dt.timedelta(days=7 * n)
    project, _ = funding.save_project(
        user=None,
        code=code,
        name=name,
        unit=unit,
        channel=channel,
        level=channel.level,
        requested=amount_wan * YUAN_PER_WAN * 6 // 5,
        stage=Stage.RESERVE,
        owner="项目管理科",
        on=applied - dt.timedelta(days=30),
    )
    for stage, on in [
        (Stage.APPLIED, applied),
        (Stage.IN_REVIEW, applied + dt.timedelta(20)),
        (Stage.APPROVED, received_on - dt.timedelta(days=20)),
        (Stage.FUNDED, received_on),
    ]:
        funding.advance_project(user=None, project=project, to_stage=stage, on=on)
    project.refresh_from_db()
    return project


def _pipeline(units, channels, rng: random.Random) -> None:
    """Projects still on their way, and next year's reserve (项目储备)."""
    stages = [Stage.APPLIED, Stage.IN_REVIEW, Stage.APPROVED, Stage.REJECTED]
    task_units = [code for code, _n, _k, target, _s in data.UNITS if target]
    for i, unit_code in enumerate(task_units):
        unit = units[unit_code]
        for k in range(2):
            code = f"XM2024-{unit_code}-S{k + 1}"
            if Project.objects.filter(code=code).exists():
                continue
            channel = channels[data.CHANNELS[(i + k) % len(data.CHANNELS)][0]]
            target_stage = stages[(i + k) % len(stages)]
            applied = dt.date(2024, 3 + k, 10 + i)
            project, _ = funding.save_project(
                user=None,
                code=code,
                unit=unit,
                channel=channel,
                level=channel.level,
                name=f"{unit.name.removeprefix('市')}{PROJECT_NAMES[(i + k + 3) % 8]}二期项目",
                requested=rng.randint(5, 60) * 100 * YUAN_PER_WAN,
                stage=Stage.RESERVE,
                owner="规划计划科",
                on=applied - dt.timedelta(days=40),
            )
            path = {
                Stage.APPLIED: [Stage.APPLIED],
                Stage.IN_REVIEW: [Stage.APPLIED, Stage.IN_REVIEW],
                Stage.APPROVED: [Stage.APPLIED, Stage.IN_REVIEW, Stage.APPROVED],
                Stage.REJECTED: [Stage.APPLIED, Stage.IN_REVIEW, Stage.REJECTED],
            }[target_stage]
            for step, stage in enumerate(path):
                funding.advance_project(
                    user=None,
                    project=project,
                    to_stage=stage,
                    on=applied + dt.timedelta(days=25 * step),
                )
        reserve_code = f"XM2025-{unit_code}-01"
        if not Project.objects.filter(code=reserve_code).exists():
            funding.save_project(
                user=None,
                code=reserve_code,
                unit=unit,
                plan_year=2025,
                name=f"{unit.name.removeprefix('市')}{PROJECT_NAMES[(i + 5) % 8]}储备项目",
                requested=rng.randint(10, 80) * 100 * YUAN_PER_WAN,
                stage=Stage.RESERVE,
                owner="规划计划科",
                on=dt.date(2024, 6, 26),
            )


def _guides_leads_contacts(units, leaders, rng: random.Random) -> None:
    aspects = {a.code: a for a in Aspect.objects.all()}
    for title, issuer, level, published, deadline, aspect, codes in data.GUIDES:
        funding.save_guide(
            user=None,
            title=title,
            issuer=issuer,
            level=level,
            published_on=published,
            deadline=deadline,
            aspect=aspects[aspect],
            units=[units[c] for c in codes],
            scope="重点支持48个重点老旧城区，项目须已纳入项目库并完成前期工作。",
        )
    if not Lead.objects.exists():
        measures = list(Measure.objects.select_related("aspect").order_by("pk"))
        for i, (code, *_rest) in enumerate(data.UNITS[:17]):
            measure = measures[i % len(measures)]
            funding.add_lead(
                user=None,
                unit=units[code],
                noted_on=dt.date(2024, 6, 1 + i),
                title=f"《意见》第{measure.code}条：{measure.text[:18]}",
                source="省直部门政策解读会",
                aspect=measure.aspect,
                estimated=rng.randint(2, 40) * 100 * YUAN_PER_WAN,
            )
    if not Contact.objects.exists():
        leader_list = list(leaders.values())
        for i in range(24):
            code = data.UNITS[i % 17][0]
            direction = ContactDirection.IN if i % 4 == 3 else ContactDirection.OUT
            funding.log_contact(
                user=None,
                unit=units[code],
                direction=direction,
                occurred_on=dt.date(2024, 1 + i % 6, 3 + i),
                counterpart=data.COUNTERPARTS[i % len(data.COUNTERPARTS)],
                people="局主要负责同志、分管副局长",
                leader=leader_list[i % 8] if i % 3 == 0 else None,
                summary=(
                    "邀请上级部门领导和专家来我市实地调研指导。"
                    if direction == "in"
                    else "汇报我市老旧城区项目储备情况，争取资金和政策倾斜。"
                ),
            )


def _users(units, leaders) -> None:
    User = get_user_model()
    for number, (username, full_name, role, unit_code, leader_name) in enumerate(
        data.DEMO_USERS, start=1
    ):
        if User.objects.filter(username=username).exists():
            continue
        person = org.create_person(
            user=None,
            username=username,
            full_name=full_name,
            role=role,
            password=data.DEMO_PASSWORD,
            unit=units.get(unit_code) if unit_code else None,
            leader=leaders.get(leader_name) if leader_name else None,
        )
        mark_demo_account(person)
        if role in data.REACHED_ROLES:  # example addresses: nothing is mailed to them
            org.set_contact(
                user=None,
                person=person,
                mobile=f"1380000{number:04d}",
                email=f"{username}@example.gov.cn",
            )
