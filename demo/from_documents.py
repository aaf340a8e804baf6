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
