"""Read shapes of dispatch rounds: what Luoshi already knows about a unit (filled in, never
asked: 最多报一次) and the briefing compiled from the answers. Nothing here writes."""

from django.utils import timezone, translation

from common.dates import format_date_zh
from common.money import format_amount
from common.percent import rate_text
from org.period import ReportingPeriod, office_period
from policy.models import Assignment
from policy.states import OVERDUE, due_soon_horizon, work_item_state
from reporting.read_model import SYSTEM, figures_for

from .bulletin import CLASS_NAMES


def round_period(dispatch) -> ReportingPeriod:
    office = office_period()
    if dispatch.as_of:
        return ReportingPeriod(dispatch.as_of.year, dispatch.as_of, office.mode)
    return office


def known_figures(unit_ids: list[int], period: ReportingPeriod) -> dict[int, dict]:
    """Per unit: target, secured, rate and class from the one read model, and its led work
    items with how many are overdue, as displayed text. Three queries for any number."""
    figures = figures_for(SYSTEM, period, unit_ids=unit_ids)
    states = due_soon_horizon(period.as_of)
    led: dict[int, list[int]] = {}
    rows = Assignment.objects.filter(role="lead", unit_id__in=unit_ids).values(
        "unit_id", "work_item__due_on", "work_item__done_on"
    )
    for row in rows:
        counts = led.setdefault(row["unit_id"], [0, 0])
        counts[0] += 1
        done, due = row["work_item__done_on"], row["work_item__due_on"]
        if work_item_state(due, done, states.as_of, states.horizon) == OVERDUE:
            counts[1] += 1
    out = {}
    with translation.override("zh-hans"):
        for unit_id in unit_ids:
            line = figures.unit(unit_id)
            items, overdue = led.get(unit_id, [0, 0])
            known = {
                "as_of": period.as_of.isoformat(),
                "items": items,
                "overdue": overdue,
            }
            if line is not None:
                known.update(
                    target=format_amount(line.target),
                    secured=format_amount(line.secured),
                    rate=rate_text(line.rate),
                    status=CLASS_NAMES[line.status.value],
                )
            out[unit_id] = known
    return out


def briefing(dispatch) -> dict:
    """The round compiled for its meeting: answers with the known figures, and who is late."""
    requests = list(dispatch.requests.select_related("unit").order_by("unit__sort_order"))
    period = round_period(dispatch)
    fresh = known_figures([r.unit_id for r in requests], period)
    units, missing = [], []
    for request in requests:
        if request.reported_at:
            units.append(
                {
                    "name": request.unit.name,
                    # the figures as they stood when the unit answered
                    "known": request.known or fresh.get(request.unit_id, {}),
                    "answers": request.answers,
                    "report": request.report,
                }
            )
        else:
            missing.append(
                {
                    "name": request.unit.name,
                    "urge_count": request.urge_count,
                    "urged_at": timezone.localtime(request.urged_at).strftime("%Y-%m-%d %H:%M")
                    if request.urged_at
                    else "",
                }
            )
    return {
        "title": f"{dispatch.title}汇报材料",
        "meeting_on": format_date_zh(dispatch.meeting_on),
        "due_on": format_date_zh(dispatch.due_on),
        "as_of": format_date_zh(period.as_of),
        "total": len(requests),
        "answered": len(units),
        "units": units,
        "missing": missing,
        "compiled_on": format_date_zh(timezone.localdate()),
    }
