"""Writing the ledger workbook (design §4) with xlsxwriter: the format the import reads."""

import datetime as dt
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from audit.services import record
from common.xlsx import DATE, INT, MONEY, TEXT, Workbook, XlsxColumn
from funding.models import Channel, Guide, Project, Receipt, Target, TargetRevision
from org.models import Leader, Unit
from policy.models import AssignmentRole, WorkItem

from .counterparts import counterpart_rows
from .format import (
    COUNTERPARTS,
    GUIDES,
    LEADERS,
    LEVEL_ZH,
    PROJECTS,
    RECEIPTS,
    SHEETS,
    STAGE_ZH,
    TARGETS,
    UNIT_KIND_ZH,
    UNITS,
    WORK_ITEMS,
    Sheet,
)

WIDTHS = {
    "code": 12,
    "name": 30,
    "unit": 12,
    "kind": 10,
    "parent": 14,
    "leader": 14,
    "title": 24,
    "year": 8,
    "amount": 16,
    "requested": 18,
    "channel": 20,
    "level": 10,
    "stage": 8,
    "applied_on": 12,
    "owner": 10,
    "plan_year": 8,
    "total_investment": 16,
    "description": 40,
    "follow_up": 12,
    "date": 12,
    "project": 16,
    "doc_no": 28,
    "effective": 12,
    "reason": 30,
    "policy": 16,
    "measure": 8,
    "lead_leader": 10,
    "lead_unit": 12,
    "co_units": 20,
    "due_on": 12,
    "milestones": 40,
    "goal": 30,
}
_AMOUNT_KEYS = {"amount", "requested", "total_investment"}
_DATE_KEYS = {"date", "applied_on", "effective", "due_on", "deadline", "published"}
_NUMBER_KEYS = {"year", "plan_year"}
MONEY_FORMAT = "#,##0.####"  # exact 万元, up to the 元


def _columns(sheet: Sheet) -> list[XlsxColumn]:
    """A sheet's columns of design §4, typed by their key: amounts in exact 万元, dates."""
    columns = []
    for index, column in enumerate(sheet.columns):
        kind = (
            MONEY
            if column.key in _AMOUNT_KEYS
            else DATE
            if column.key in _DATE_KEYS
            else INT
            if column.key in _NUMBER_KEYS
            else TEXT
        )
        columns.append(
            XlsxColumn(
                column.name,
                itemgetter(index),
                kind,
                WIDTHS.get(column.key, 14),
                MONEY_FORMAT if kind == MONEY else "",
            )
        )
    return columns


def _target_rows(targets):
    """Each target as the amount it was set with, then one row per effective date of its
    revisions (the one saved last for that day), so importing the rows rebuilds the amount in
    force on every day. A target never revised is one row without a date; a revised one's
    first row is dated 1 January (it is in force from then), unless a revision replaced it
    from that very day."""
    history: dict[int, dict] = {}
    for target_id, on, old, new, reason in (
        TargetRevision.objects.filter(target__in=targets.values("pk"))
        .order_by("pk")
        .values_list("target_id", "effective_on", "old_amount", "new_amount", "reason")
    ):
        revisions = history.setdefault(target_id, {"original": old, "by_day": {}})
        revisions["by_day"][on] = (new, reason)  # later saved replaces earlier of that day
    ordered = targets.order_by("year", "unit__sort_order", "unit__code")
    for pk, year, unit, amount in ordered.values_list("pk", "year", "unit__code", "amount"):
        revisions = history.get(pk)
        if revisions is None:
            yield (year, unit, amount, None, "")
            continue
        first_day = dt.date(year, 1, 1)
        if first_day not in revisions["by_day"]:
            yield (year, unit, revisions["original"], first_day, "")
        for on, (new, reason) in sorted(revisions["by_day"].items()):
            yield (year, unit, new, on, reason)


def _work_item_rows(items, codes: dict[int, str]):
    """The 工作事项 sheet: each item with its units by code and its time nodes, one per line."""
    items = (
        items.select_related("policy", "measure", "lead_leader")
        .prefetch_related("assignments", "milestones")
        .order_by("code")
    )
    for item in items:
        rows = list(item.assignments.all())
        lead = next((a.unit_id for a in rows if a.role == AssignmentRole.LEAD), None)
        co = [codes[a.unit_id] for a in rows if a.role == AssignmentRole.CO]
        nodes = "\n".join(
            f"{m.due_on.isoformat()} {m.title}"
            for m in sorted(item.milestones.all(), key=lambda m: (m.due_on, m.pk))
        )
        yield (
            item.code,
            item.title,
            item.policy.short_name or item.policy.title,
            item.measure.code if item.measure else "",
            item.lead_leader.name,
            codes.get(lead, ""),
            "、".join(sorted(co)),
            item.due_on,
            nodes,
            item.goal,
        )


def export_ledger(target: str | Path | BinaryIO, *, user=None, year: int | None = None) -> dict:
    """Write every sheet; `year` limits targets and receipts to that year. Returns row counts.

    With `user`, only what that user may see is written (the same scoping as every page).
    """

    def scoped(queryset):
        return queryset.visible_to(user) if user is not None else queryset

    workbook = Workbook(target)
    counts = {}

    def write_rows(sheet: Sheet, rows) -> None:
        counts[sheet.key] = workbook.sheet(sheet.name, _columns(sheet)).write_rows(rows)

    units = scoped(Unit.objects.all()).order_by("sort_order", "code")
    codes = dict(Unit.objects.values_list("pk", "code"))
    oversight = {}
    for unit_id, name in Leader.oversees.through.objects.order_by(
        "leader__sort_order", "leader__name"
    ).values_list("unit_id", "leader__name"):
        oversight.setdefault(unit_id, []).append(name)
    write_rows(
        UNITS,
        (
            (
                u.code,
                u.name,
                UNIT_KIND_ZH.get(u.kind, u.kind),
                codes.get(u.parent_id, ""),
                "、".join(oversight.get(u.pk, [])),
            )
            for u in units.iterator()
        ),
    )
    write_rows(
        LEADERS,
        ((leader.name, leader.title) for leader in Leader.objects.order_by("sort_order", "name")),
    )
    targets = scoped(Target.objects.all())
    if year:
        targets = targets.filter(year=year)
    write_rows(TARGETS, _target_rows(targets))
    channels = dict(Channel.objects.values_list("pk", "name"))
    projects = scoped(Project.objects.all()).order_by("code")
    write_rows(
        PROJECTS,
        (
            (
                code,
                name,
                unit,
                channels.get(channel_id, ""),
                LEVEL_ZH.get(level, ""),
                requested,
                STAGE_ZH.get(stage, stage),
                *as_stored,  # applied_on … follow-up person, written as they are
            )
            for code, name, unit, channel_id, level, requested, stage, *as_stored in (
                projects.values_list(
                    "code",
                    "name",
                    "unit__code",
                    "channel_id",
                    "level",
                    "requested",
                    "stage",
                    "applied_on",
                    "owner",
                    "plan_year",
                    "total_investment",
                    "description",
                    "follow_up__username",  # the login name: one person, read back as such
                ).iterator(chunk_size=5000)
            )
        ),
    )
    receipts = scoped(Receipt.objects.all())
    if year:
        receipts = receipts.in_year(year)
    project_codes = dict(Project.objects.values_list("pk", "code"))
    write_rows(
        RECEIPTS,
        (
            (
                codes[unit_id],
                amount,
                on,
                project_codes.get(project_id, ""),
                doc,
                channels.get(channel_id, ""),
                LEVEL_ZH.get(level, ""),
            )
            for unit_id, amount, on, project_id, doc, channel_id, level in receipts.order_by(
                "received_on", "id"
            )
            .values_list(
                "unit_id", "amount", "received_on", "project_id", "doc_no", "channel_id", "level"
            )
            .iterator(chunk_size=10_000)
        ),
    )
    guide_units: dict[int, list[str]] = {}
    for guide_id, code in Guide.units.through.objects.order_by("unit__sort_order").values_list(
        "guide_id", "unit__code"
    ):
        guide_units.setdefault(guide_id, []).append(code)
    write_rows(
        GUIDES,
        (
            (
                g.code,
                g.title,
                g.issuer,
                LEVEL_ZH.get(g.level, ""),
                channels.get(g.channel_id, ""),
                g.deadline,
                g.scope,
                g.conditions,
                g.materials,
                g.published_on,
                "、".join(guide_units.get(g.pk, [])),
            )
            for g in Guide.objects.order_by("published_on", "code").iterator()
        ),
    )
    write_rows(WORK_ITEMS, _work_item_rows(scoped(WorkItem.objects.all()), codes))
    write_rows(COUNTERPARTS, counterpart_rows())
    workbook.close()
    assert [s.key for s in SHEETS] == list(counts)
    # Exports are audited: who took which data out of the system.
    record(
        "ledger.exported",
        None,
        after={"year": year, "rows": counts},
        object_type="ledger.file",
        user=user,
    )
    return counts
