"""Writes of drafting: the office's unit aliases, and confirmed drafts (through the work
item services, audited, in one transaction: all the drafts or none)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from common.permissions import Role, role_of
from common.services import require
from org.models import Leader, Unit

from .. import services as policy_services
from ..models import Aspect, Measure, Policy, UnitAlias, WorkItem
from .names import normalise


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


@transaction.atomic
def save_unit_alias(*, user, unit: Unit, alias: str) -> UnitAlias:
    """The office names a unit's short name; an alias of another unit is refused."""
    _require_office(user)
    alias = normalise(alias)
    if not 2 <= len(alias) <= 100:
        raise ValidationError(_("An alias has 2 to 100 characters."))
    if Unit.objects.filter(name=alias).exclude(pk=unit.pk).exists():
        raise ValidationError(_("%(alias)s is the full name of another unit.") % {"alias": alias})
    existing = UnitAlias.objects.select_for_update().filter(alias=alias).first()
    if existing is not None:
        if existing.unit_id != unit.pk:
            raise ValidationError(
                _("%(alias)s already stands for %(unit)s.")
                % {"alias": alias, "unit": existing.unit.name}
            )
        return existing
    row = UnitAlias.objects.create(unit=unit, alias=alias)
    record("policy.unit_alias.created", row, after=snapshot(row), user=user)
    return row


@transaction.atomic
def remove_unit_alias(*, user, alias: UnitAlias) -> None:
    _require_office(user)
    record("policy.unit_alias.removed", alias, before=snapshot(alias), user=user)
    alias.delete()


def _aspect_for(heading: str, default: Aspect) -> Aspect:
    for aspect in Aspect.objects.order_by("sort_order", "code"):
        if aspect.name and aspect.name in heading:
            return aspect
    return default


def _next_code(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}-{n:02d}" in taken:
        n += 1
    code = f"{prefix}-{n:02d}"
    taken.add(code)
    return code


@transaction.atomic
def confirm_drafts(
    *,
    user,
    policy: Policy,
    rows: list[dict],
    code_prefix: str,
    default_aspect: Aspect,
) -> list[WorkItem]:
    """Create the confirmed drafts as work items of `policy`, with their time nodes.

    A row: {title, goal, measure (heading text), aspect (heading text), lead_unit, co_units,
    lead_leader, due_on, milestones [(date, title)]}. A measure heading the policy does not
    have yet becomes a measure (its aspect named in the heading, else `default_aspect`).
    Every write goes through `policy.services` (audited); one failing row writes nothing."""
    _require_office(user)
    code_prefix = (code_prefix or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_]{1,12}", code_prefix):
        raise ValidationError(_("The code prefix has 1 to 12 letters, digits or _."))
    if not rows:
        raise ValidationError(_("Choose at least one draft to create."))
    taken = set(
        WorkItem.objects.filter(code__startswith=code_prefix).values_list("code", flat=True)
    )
    measures = {m.text: m for m in Measure.objects.filter(policy=policy)}
    measure_codes = set(Measure.objects.filter(policy=policy).values_list("code", flat=True))
    items = []
    for row in rows:
        measure = None
        heading = (row.get("measure") or "").strip()
        if heading:
            measure = measures.get(heading)
            if measure is None:
                code = str(len(measure_codes) + 1)
                while code in measure_codes:
                    code = str(int(code) + 1)
                measure_codes.add(code)
                measure = policy_services.edit_measure(
                    user=user,
                    policy=policy,
                    measure=None,
                    aspect=_aspect_for(f"{row.get('aspect', '')}{heading}", default_aspect),
                    code=code,
                    text=heading,
                )
                measures[heading] = measure
        due_on: dt.date = row["due_on"]
        nodes = [(d, t[:200]) for d, t in row.get("milestones", []) if d <= due_on]
        items.append(
            policy_services.create_work_item(
                user=user,
                policy=policy,
                code=_next_code(code_prefix, taken),
                title=row["title"][:300],
                goal=row.get("goal", ""),
                lead_leader=row["lead_leader"],
                lead_unit=row["lead_unit"],
                co_units=[u for u in row.get("co_units", []) if u != row["lead_unit"]],
                due_on=due_on,
                measure=measure,
                milestones=nodes,
            )
        )
    record(
        "policy.drafts.confirmed",
        policy,
        after={"items": [i.code for i in items], "count": len(items)},
        user=user,
    )
    return items


def leaders_by_name() -> dict[str, Leader]:
    return {leader.name: leader for leader in Leader.objects.all()}
