"""What a bulletin (通报, design §7) says, read once from the one read model.

`bulletin_content(period)` gathers everything the document shows into plain JSON-able data:
that dict is what an issued bulletin stores as its frozen figures, what the preview page
shows and what `documents.render_docx` writes. Nothing here writes the database.
"""

import datetime as dt
from fractions import Fraction

from django.utils import translation

from common.dates import format_date_zh
from common.money import format_amount, format_wan
from common.percent import progress_text, rate_text, ratio_decimal
from funding.choices import Status
from funding.querysets import corrections_since
from funding.rates import success_rates
from funding.rules import bulletin_sentence
from org.period import ReportingPeriod
from policy.models import Assignment, WorkItem
from policy.querysets import extension_counts
from policy.states import OVERDUE, DueSoonHorizon, due_soon_horizon
from reporting.read_model import SYSTEM, figures_for

from .assessment import Rules, assess, rules_for_year
from .effect import effect_annex
from .models import Bulletin
from .province import bound_lists, province_part

CLASS_ORDER = ["completed", "ahead", "behind", "none"]
CLASS_NAMES = {
    "completed": "完成全年任务",
    "ahead": "超时间进度",
    "behind": "低于时间进度",
    "none": "无实绩",
}


def percent_text(rate: Fraction | None) -> str:
    """A rate as the bulletin prints it: a whole percent (design §3), from the one formatter."""
    return rate_text(rate)


def league(figures) -> list[dict]:
    """Task departments ranked by completion rate, best first; equal rates share a rank."""
    # figures.units come in the units' order, which breaks ties; no target counts as done
    units = sorted(
        figures.units, key=lambda u: -(u.rate if u.rate is not None else Fraction(10**9))
    )
    rows, previous, rank = [], object(), 0
    for position, unit in enumerate(units, start=1):
        if unit.rate != previous:
            rank, previous = position, unit.rate
        rows.append(
            {
                "rank": rank,
                "code": unit.code,
                "name": unit.name,
                "target_wan": format_wan(unit.target),
                "secured_wan": format_wan(unit.secured),
                "rate": str(ratio_decimal(unit.rate)) if unit.rate is not None else None,
                "rate_text": percent_text(unit.rate),
                "status": unit.status.value,
                "status_text": CLASS_NAMES[unit.status.value],
            }
        )
    return rows


def _lead_unit_names(items) -> dict[int, str]:
    """The name of each work item's lead unit, by item id (one query)."""
    return dict(
        Assignment.objects.filter(role="lead", work_item__in=items).values_list(
            "work_item_id", "unit__name"
        )
    )


def overdue_items(as_of: dt.date, states: DueSoonHorizon | None = None) -> list[dict]:
    """Work items overdue on the as-of date (policy.states), with their lead unit."""
    states = states or due_soon_horizon(as_of)
    items = (
        WorkItem.objects.with_state(states.as_of, states.horizon)
        .filter(state=OVERDUE)
        .select_related("lead_leader")
        .order_by("due_on", "code")
    )
    leads = _lead_unit_names(items)
    return [
        {
            "code": item.code,
            "title": item.title,
            "due_on": item.due_on.isoformat(),
            "lead_unit": leads.get(item.pk, ""),
            "lead_leader": item.lead_leader.name,
            "progress": item.progress,
        }
        for item in items
    ]


def meeting_decisions(as_of: dt.date, states: DueSoonHorizon | None = None) -> list[dict]:
    """Decisions of meetings held by the as-of date and not done by it (会议议定事项落实情况),
    each with its state on that day (policy.states), soonest due first."""
    states = states or due_soon_horizon(as_of)
    items = (
        WorkItem.objects.filter(source_meeting__held_on__lte=as_of)
        .exclude(done_on__lte=as_of)
        .with_state(states.as_of, states.horizon)
        .select_related("source_meeting")
        .order_by("due_on", "code")
    )
    leads = _lead_unit_names(items)
    return [
        {
            "code": item.code,
            "title": item.title,
            "meeting": item.source_meeting.title,
            "due_on": item.due_on.isoformat(),
            "lead_unit": leads.get(item.pk, ""),
            "state": item.state if item.done_on is None else "open",
        }
        for item in items
    ]


def lag_measures(year: int, as_of: dt.date, unit_ids: list[int]) -> list[dict]:
    """The latest causes and measures of each lagging unit its leader signed off, up to the
    as-of date. An official document prints only what the leader accepted: an explanation
    still awaiting the leader, or sent back to the unit, is not in it (issue 20)."""
    from .models import LagExplanation

    rows = (
        LagExplanation.objects.filter(
            year=year,
            as_of__lte=as_of,
            unit_id__in=unit_ids,
            status=LagExplanation.Status.SIGNED_OFF,
        )
        .exclude(causes="")
        .select_related("unit", "signed_off_by")
        .order_by("unit__sort_order", "unit__code", "-as_of", "-id")
    )
    out, seen = [], set()
    for row in rows:
        if row.unit_id in seen:
            continue
        seen.add(row.unit_id)
        status = getattr(row, "get_status_display", None)
        measures = row.measures
        dated = getattr(row, "measure_rows", None)  # dated measures, when the workflow has them
        if dated is not None:
            listed = [f"{m.text}（{m.due_on.isoformat()}前）" for m in dated.order_by("position")]
            measures = "；".join(listed) or measures
        out.append(
            {
                "unit": row.unit.name,
                "as_of": row.as_of.isoformat(),
                "causes": row.causes,
                "measures": measures,
                "status": str(status()) if status else "",
                "signed_off_by": row.signed_off_by.name if row.signed_off_by else "",
            }
        )
    return out


def success_rates_annex(period: ReportingPeriod) -> dict:
    """The annex (design §9): applied → approved → funded by channel and level, requested vs
    approved vs arrived, and next year's reserve, over every project."""

    def row(r) -> dict:
        return {
            "name": str(r.name),
            "applied": r.applied,
            "approved": r.approved,
            "funded": r.funded,
            "requested": format_amount(r.requested),
            "approved_amount": format_amount(r.approved_amount),
            "arrived": format_amount(r.arrived),
        }

    with translation.override("zh-hans"):
        rates = success_rates(None, period.year, period.as_of)
        reserve = rates.reserve_total
        return {
            "total": row(rates.total),
            "by_level": [row(r) for r in rates.by_level],
            "by_channel": [row(r) for r in rates.by_channel],
            "reserve_year": rates.reserve_year,
            "reserve_projects": reserve.projects,
            "reserve_requested": format_amount(reserve.requested),
        }


def correction_notes() -> list[dict]:
    """更正说明 (design §10): the corrections of receipts approved since the previous issued
    bulletin (any year: a correction changes the figures of its receipt's year), in the
    bulletin's language."""
    since = Bulletin.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    with translation.override("zh-hans"):
        return corrections_since(since)


def bulletin_content(period: ReportingPeriod, *, rules=None) -> dict:
    """Everything a bulletin of `period` shows, as plain data (see the module docstring)."""
    figures = figures_for(SYSTEM, period)
    summary = figures.summary
    with translation.override("zh-hans"):
        sentence = bulletin_sentence(summary)
        claims = [
            {
                "doc_no": claim["doc_no"],
                "units": claim["units"],
                "shares": [
                    {"unit": r.unit.name, "amount": format_amount(r.amount)}
                    for r in claim["receipts"]
                ],
            }
            for claim in figures.doubtful_claims
        ]
        secured_text = format_amount(summary.secured)
        target_text = format_amount(summary.target)
    rows = league(figures)
    # one due-soon horizon (settings and calendar read once) for both lists of work items
    states = due_soon_horizon(period.as_of)
    classes = {key: [row["name"] for row in rows if row["status"] == key] for key in CLASS_ORDER}
    lagging = [u.unit_id for u in figures.units if u.status in (Status.BEHIND, Status.NONE)]
    content = {
        "year": period.year,
        "as_of": period.as_of.isoformat(),
        "mode": period.mode,
        "date_text": format_date_zh(period.as_of),
        "time_progress": progress_text(summary.progress),
        "sentence": sentence,
        "secured_text": secured_text,
        "target_text": target_text,
        "rate_text": percent_text(summary.rate),
        "league": rows,
        "classes": classes,
        "class_names": CLASS_NAMES,
        "overdue_items": overdue_items(period.as_of, states),
        # 延期申请 filed and approved from 1 January to the as-of date
        "extension_requests": extension_counts(dt.date(period.year, 1, 1), period.as_of),
        "lag_measures": lag_measures(period.year, period.as_of, lagging),
        "meeting_decisions": meeting_decisions(period.as_of, states),
        "doubtful_claims": claims,
        "corrections": correction_notes(),
        "monthly_wan": [
            float(v) / 10_000 for v in figures.secured_by_month()[: period.as_of.month]
        ],
        "assessment": None,
        "success_rates": success_rates_annex(period),
        "reminder_effect": effect_annex(period.year, period.as_of),
    }
    province = province_part(figures, rows)
    if province:  # above 40 task departments: grouped by county (supervision/province.py)
        content["province"] = province
        bound_lists(content)
    if period.as_of == dt.date(period.year, 12, 31):
        # the year-end bulletin carries the assessment (design §8)
        chosen = rules or rules_for_year(period.year)
        result = assess(period, Rules.of(chosen))
        content["assessment"] = {
            "rules_version": result.rules.code,
            "units": [
                {
                    "rank": u.rank,
                    "name": u.name,
                    "funding_score": str(u.funding_score),
                    "bonus": str(u.bonus),
                    "items_score": str(u.items_score),
                    "total": str(u.total),
                }
                for u in result.units
            ],
        }
    return content


def rank_changes(current: dict, previous: dict | None) -> list[dict]:
    """名次变化: each unit of the current league with its rank in `previous` and the move
    (positive: up)."""
    before = {row["code"]: row for row in (previous or {}).get("league", [])}
    out = []
    for row in current["league"]:
        old = before.get(row["code"])
        out.append(
            {
                **row,
                "previous_rank": old["rank"] if old else None,
                "previous_rate_text": old["rate_text"] if old else "",
                "previous_status_text": old["status_text"] if old else "",
                "move": (old["rank"] - row["rank"]) if old else None,
            }
        )
    return out
