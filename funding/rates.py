"""Success rates of striving (design §9): applied → approved → funded, by unit, channel and
level; requested vs approved vs arrived; and the reserve's depth for next year.

The cohort of a year is every project that went to 申报 (applied) in that year up to the
as-of date, as its stage history says, and every project funded in that year: money received
on it in the year up to the as-of date, whenever it applied (design §10: a project funded in
year Y counts in Y by its receipts in Y, so the rates never say 到位 0 beside the year's
headline). Each is counted as funded when it has such receipts, as included when it was
squeezed into a higher-level plan (纳入计划) or went further (批复, 到位), as approved when it
reached 批复 by the as-of date (or is funded), as not approved when it was refused instead.
Requested is its requested amount, approved its approved amount (else requested), arrived its
receipts in the year up to the as-of date (the same receipts the year's figures add up). Only
projects the viewer may see count (`visible_to`).

`success_rates(viewer, year, as_of)` is the one function the page, and the bulletin's annex,
call.
"""

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .choices import Level, Stage


@dataclass
class RateRow:
    key: str
    name: str
    applied: int = 0
    included: int = 0  # 纳入计划 or further
    approved: int = 0
    funded: int = 0
    rejected: int = 0
    requested: int = 0  # 元
    approved_amount: int = 0
    arrived: int = 0

    @property
    def inclusion_rate(self) -> Fraction | None:
        return Fraction(self.included, self.applied) if self.applied else None

    @property
    def approval_rate(self) -> Fraction | None:
        return Fraction(self.approved, self.applied) if self.applied else None

    @property
    def funding_rate(self) -> Fraction | None:
        return Fraction(self.funded, self.applied) if self.applied else None

    def as_json(self) -> dict:
        from common.money import yuan_to_wan

        return {
            "key": self.key,
            "name": self.name,
            "applied": self.applied,
            "included": self.included,
            "approved": self.approved,
            "funded": self.funded,
            "rejected": self.rejected,
            "requested_wan": yuan_to_wan(self.requested),
            "approved_wan": yuan_to_wan(self.approved_amount),
            "arrived_wan": yuan_to_wan(self.arrived),
        }


@dataclass
class ReserveRow:
    unit_id: int
    name: str
    projects: int
    requested: int
    investment: int


@dataclass
class SuccessRates:
    year: int
    as_of: dt.date
    total: RateRow
    by_unit: list[RateRow] = field(default_factory=list)
    by_channel: list[RateRow] = field(default_factory=list)
    by_level: list[RateRow] = field(default_factory=list)
    reserve_year: int = 0
    reserve: list[ReserveRow] = field(default_factory=list)

    @property
    def reserve_total(self) -> ReserveRow:
        return ReserveRow(
            0,
            _("Total"),
            sum(r.projects for r in self.reserve),
            sum(r.requested for r in self.reserve),
            sum(r.investment for r in self.reserve),
        )


REACHED_APPROVAL = {Stage.APPROVED, Stage.FUNDED}
REACHED_INCLUSION = {Stage.INCLUDED, *REACHED_APPROVAL}


def success_rates(viewer, year: int, as_of: dt.date) -> SuccessRates:
    """The success rates of `year` up to `as_of` over the projects `viewer` may see.
    Four queries whatever the number of projects."""
    from .models import Project, ProjectStageChange, Receipt

    start = dt.date(year, 1, 1)
    # None: every project (commands, the bulletin's annex for the office)
    projects = Project.objects.all() if viewer is None else Project.objects.visible_to(viewer)
    reached: dict[int, set[str]] = {}
    applied_in_year: set[int] = set()
    for project_id, stage, on in ProjectStageChange.objects.filter(
        project__in=projects.values("pk"),
        to_stage__in=[Stage.APPLIED, Stage.INCLUDED, Stage.APPROVED, Stage.FUNDED, Stage.REJECTED],
        changed_on__lte=as_of,
    ).values_list("project_id", "to_stage", "changed_on"):
        reached.setdefault(project_id, set()).add(stage)
        if stage == Stage.APPLIED and on >= start:
            applied_in_year.add(project_id)
    # the year's receipts on projects, as the year's figures count them
    arrived = dict(
        Receipt.objects.in_year(year, as_of)
        .filter(project__in=projects.values("pk"))
        .arrived_per_project()
        .values_list("project", "total")
    )
    rows = list(
        Project.objects.filter(pk__in=applied_in_year | set(arrived))
        .select_related("unit", "channel")
        .order_by("unit__sort_order", "code")
    )
    total = RateRow("total", _("Total"))
    by_unit: dict[int, RateRow] = {}
    by_channel: dict[str, RateRow] = {}
    by_level: dict[str, RateRow] = {}
    levels = dict(Level.choices)
    for p in rows:
        stages = reached.get(p.pk, set())
        funded = p.pk in arrived
        approved = funded or bool(stages & REACHED_APPROVAL)
        groups = [
            total,
            by_unit.setdefault(p.unit_id, RateRow(p.unit.code, p.unit.name)),
            by_channel.setdefault(
                p.channel.code if p.channel_id else "",
                RateRow(
                    p.channel.code if p.channel_id else "",
                    p.channel.name if p.channel_id else _("Not given"),
                ),
            ),
            by_level.setdefault(
                p.level, RateRow(p.level, str(levels.get(p.level, _("Not given"))))
            ),
        ]
        for row in groups:
            row.applied += 1
            row.included += approved or bool(stages & REACHED_INCLUSION)
            row.approved += approved
            row.funded += funded
            row.rejected += Stage.REJECTED in stages and not approved
            row.requested += p.requested or 0
            if approved:
                row.approved_amount += p.approved_amount or p.requested or 0
            row.arrived += arrived.get(p.pk, 0)
    reserve_year = year + 1
    reserve = [
        ReserveRow(unit_id, name, count, int(requested), int(investment))
        for unit_id, name, count, requested, investment in projects.filter(
            stage=Stage.RESERVE, plan_year=reserve_year
        )
        .values("unit_id", "unit__name", "unit__sort_order")
        .annotate(
            count=Count("pk"),
            req=Coalesce(Sum("requested"), 0),
            inv=Coalesce(Sum("total_investment"), 0),
        )
        .order_by("unit__sort_order")
        .values_list("unit_id", "unit__name", "count", "req", "inv")
    ]
    return SuccessRates(
        year=year,
        as_of=as_of,
        total=total,
        by_unit=list(by_unit.values()),
        by_channel=sorted(by_channel.values(), key=lambda r: (-r.applied, r.key)),
        by_level=[by_level[k] for k in [*Level.values, ""] if k in by_level],
        reserve_year=reserve_year,
        reserve=reserve,
    )
