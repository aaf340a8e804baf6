"""Writes to guides (申报指南), and a reserve project prepared for one."""

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import check_version
from org.models import Unit
from org.services import ensure_unit_access

from ..choices import Stage
from ..models import (
    Channel,
    Guide,
    Project,
)
from ..record_rules import check_guide, next_free_code
from .base import _require_office
from .projects import advance_project

GUIDE_FIELDS = (
    "title",
    "issuer",
    "level",
    "channel",
    "aspect",
    "published_on",
    "deadline",
    "scope",
    "conditions",
    "materials",
)


def next_guide_code(year: int) -> str:
    """ZN<year>-NNN, the next free number of the year."""
    prefix = f"ZN{year}-"
    used = set(Guide.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    return next_free_code(prefix, used)[0]


def check_guide_change(guide: Guide, values: dict) -> None:
    """A change of a guide checked merged with the fields it leaves as they are."""
    check_guide({name: getattr(guide, name) for name in GUIDE_FIELDS} | values)


def change_guide(guide: Guide, values: dict, unit_ids: Collection[int] | None) -> dict | None:
    """Change a locked guide's fields (checked: `check_guide_change`) and, unless None, the
    units it is for: none when nothing changes; else the version goes up, the guide is
    saved and the audit event's before/after are returned."""
    before = {**snapshot(guide), "units": sorted(guide.units.values_list("pk", flat=True))}
    for key, value in values.items():
        setattr(guide, key, value)
    after_units = before["units"] if unit_ids is None else sorted(unit_ids)
    if {**snapshot(guide), "units": after_units} == before:
        return None
    guide.version += 1
    guide.save()
    if unit_ids is not None:
        guide.units.set(unit_ids)
    return {"before": before, "after": {**snapshot(guide), "units": after_units}}


@transaction.atomic
def save_guide(
    *,
    user,
    title: str,
    issuer: str,
    level: str,
    published_on: dt.date | None,
    deadline: dt.date | None = None,
    scope: str = "",
    aspect=None,
    units: Collection[Unit] = (),
    code: str = "",
    channel: Channel | None = None,
    conditions: str = "",
    materials: str = "",
) -> tuple[Guide, bool]:
    """Record a guide once (by code, else by title and issuer); an existing one is returned
    unchanged (the demo and repeated entries). `update_guide` edits one."""
    _require_office(user)
    values = {
        "title": title,
        "issuer": issuer,
        "level": level,
        "published_on": published_on,
        "deadline": deadline,
        "scope": scope,
        "aspect": aspect,
        "channel": channel,
        "conditions": conditions,
        "materials": materials,
    }
    check_guide(values)
    code = code.strip()
    existing = Guide.objects.filter(code=code).first() if code else None
    if existing is None:
        existing = Guide.objects.filter(title=title, issuer=issuer).first()
    if existing is not None:
        return existing, False
    # a guide of unknown publication date is numbered in its deadline's year, else this one
    year = (published_on or deadline or timezone.localdate()).year
    guide = Guide.objects.create(code=code or next_guide_code(year), **values)
    guide.units.set(units)
    record(
        "funding.guide.created",
        guide,
        after={**snapshot(guide), "units": sorted(u.pk for u in units)},
        user=user,
    )
    return guide, True


@transaction.atomic
def update_guide(
    *, user, guide: Guide, units: Collection[Unit], expected_version: int | None = None, **values
) -> tuple[Guide, bool]:
    """The office edits a guide (a corrected deadline, a wider scope, more units)."""
    _require_office(user)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    check_version(guide, expected_version)
    unknown = set(values) - set(GUIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown guide fields {sorted(unknown)}")
    check_guide_change(guide, values)
    event = change_guide(guide, values, [u.pk for u in units])
    if event is None:
        return guide, False
    record("funding.guide.updated", guide, **event, user=user)
    return guide, True


@transaction.atomic
def prepare_application(
    *,
    user,
    project: Project,
    guide: Guide,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Project:
    """ "Prepare application" from a match: the reserve project answers the guide and moves
    to 申报, with the guide linked. Only a reserve project can be prepared."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_unit_access(user, project.unit)
    if project.stage != Stage.RESERVE:
        raise ValidationError(
            _(
                "“%(name)s” is already at stage “%(stage)s”; only a reserve project can be "
                "prepared for a guide."
            )
            % {"name": project.name, "stage": project.get_stage_display()},
            code="stage",
        )
    return advance_project(
        user=user,
        project=project,
        to_stage=Stage.APPLIED,
        on=on,
        note=_("Application prepared for %(guide)s") % {"guide": guide.title},
        guide=guide,
        expected_version=expected_version,
    )


def bulk_save_guides(
    *,
    user,
    audit: AuditBatch,
    creates: list[tuple[dict, list[int]]],
    updates: list[tuple[Guide, dict, list[int] | None]],
) -> None:
    """Guides from the ledger's 申报指南 sheet, checked already: new ones (fields with
    `channel_id`, and their unit ids) and changes (`(guide, {field: value}, unit ids or
    None)`), with the rules of `save_guide`/`update_guide`, one audit event each."""
    _require_office(user)
    for values, _units in creates:
        check_guide(values)
    for guide, values, _units in updates:
        check_guide_change(guide, values)
    for values, units in creates:
        guide = Guide.objects.create(**values)
        guide.units.set(units)
        audit.add("funding.guide.created", guide, after={**snapshot(guide), "units": units})
    for guide, values, units in updates:
        event = change_guide(guide, values, units)
        if event is not None:
            audit.add("funding.guide.updated", guide, **event)
