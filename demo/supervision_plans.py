"""Demo work plans and lag explanations for July 2024 (after the speech's 2024-06-30 figures).

Touches no target or receipt: the speech's figures stay exactly as they are.
- two work plans scheduled backwards: 住建局 for GZ-06, 交通运输局 for GZ-14;
- two lag explanations as of 2024-06-30: 城市管理局 (no result) signed off by 李华, its
  measures followed as time nodes; 文化和旅游局 (behind) sent back by 杨帆 with a comment.
"""

import datetime as dt

from django.contrib.auth import get_user_model

from org.models import Leader, Section, Unit
from policy import services as policy
from policy.models import WorkItem, WorkPlan
from supervision.lag import services as lag
from supervision.models import LagExplanation

from . import data

PLANS = [
    (
        "GZ-06",
        dt.date(2024, 12, 20),
        "对照中央预算内投资申报要求，倒排工期，确保年底前完成前期工作经费争取。",
        [
            ("梳理2000年前建成的老旧小区清单", 10, "规划计划科", "zjj"),
            ("编制项目可行性研究报告", 20, "项目管理科", "zjj"),
            ("报送省住建厅、省发改委审核", 15, "规划计划科", "zjj_head"),
            ("跟踪省级资金下达", 10, "办公室", "zjj"),
        ],
    ),
    (
        "GZ-14",
        dt.date(2024, 8, 23),
        "普通国省道改造项目按交通运输部年度计划节点倒排。",
        [
            ("完成路况检测与项目比选", 8, None, None),
            ("编制工程可行性研究报告", 15, None, None),
            ("上报省交通运输厅纳入年度计划", 10, None, None),
        ],
    ),
]

EXPLANATIONS = [
    (
        "CGJ",
        "李华",
        "signed_off",
        "一是年初谋划的排水防涝项目前期工作滞后，可研报告6月才完成评审，错过上半年资金批次；"
        "二是与省住建厅、省发改委对接不够，对中央预算内投资城市排水防涝专项的申报要求掌握不及时。",
        [
            ("完成城区排水防涝项目可研批复", dt.date(2024, 7, 31)),
            ("向省发改委报送中央预算内投资申报材料", dt.date(2024, 8, 20)),
            ("局主要负责同志带队赴省住建厅汇报对接", dt.date(2024, 9, 15)),
        ],
        "同意。请按时间节点推进，9月底前向我当面汇报进展。",
    ),
    (
        "WLJ",
        "杨帆",
        "sent_back",
        "文旅项目多为经营性项目，符合中央预算内投资支持方向的项目较少。",
        [("加强与上级部门沟通", dt.date(2024, 12, 31))],
        "原因分析不够具体，措施没有责任人和可检验的时间节点。请对照省文旅厅下半年申报批次，"
        "逐个项目列明措施，重新报送。",
    ),
]


def load_supervision_plans() -> None:
    """Work plans and lag explanations (idempotent: skipped when already there)."""
    _plans()
    _explanations()


def _plans() -> None:
    User = get_user_model()
    for code, deadline, content, steps in PLANS:
        item = WorkItem.objects.get(code=code)
        if WorkPlan.objects.filter(work_item=item).exists():
            continue
        unit_id = policy.lead_unit_id(item)
        rows = []
        for title, days, section, username in steps:
            rows.append(
                {
                    "title": title,
                    "workdays": days,
                    "section": Section.objects.filter(unit_id=unit_id, name=section).first()
                    if section
                    else None,
                    "person": User.objects.filter(username=username).first() if username else None,
                }
            )
        policy.save_work_plan(user=None, item=item, deadline=deadline, steps=rows, content=content)


def _explanations() -> None:
    as_of = data.AS_OF
    for code, leader_name, outcome, causes, measures, comment in EXPLANATIONS:
        unit = Unit.objects.get(code=code)
        if LagExplanation.objects.filter(unit=unit, as_of=as_of).exists():
            continue
        grounds = lag.lagging_units_on(as_of).get(unit.pk, [])
        explanation = lag.ask_unit(user=None, unit=unit, as_of=as_of, grounds=grounds)
        explanation = lag.file_lag_explanation(
            user=None, explanation=explanation, causes=causes, measures=measures
        )
        leader = Leader.objects.get(name=leader_name)
        if outcome == "signed_off":
            lag.sign_off_lag_explanation(
                user=None, explanation=explanation, comment=comment, leader=leader
            )
        else:
            lag.send_back_lag_explanation(
                user=None, explanation=explanation, comment=comment, leader=leader
            )
