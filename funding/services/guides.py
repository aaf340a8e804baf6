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

from ..choices import Level, Stage
from ..models import (
    Channel,
    Guide,
    Project,
)
from .base import _require_office
from .projects import advance_project


def _check_guide(values: dict) -> None:
    level = values.get("level")
    if level not in Level.values:
        raise ValidationError(_("Unknown level “%(level)s”.") % {"level": level}, code="level")
    published, deadline = values.get("published_on"), values.get("deadline")
    if published and deadline and deadline < published:
        raise ValidationError(
            _("The deadline cannot be before the publication date."), code="deadline"
        )
    if not (values.get("title") or "").strip() or not (values.get("issuer") or "").strip():
        raise ValidationError(_("A guide needs a title and an issuer."), code="title")


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
    number = len(used) + 1
    while f"{prefix}{number:03d}" in used:
        number += 1
    return f"{prefix}{number:03d}"


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
    _check_guide(values)
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
    merged = {name: getattr(guide, name) for name in GUIDE_FIELDS} | values
    _check_guide(merged)
    before = {**snapshot(guide), "units": sorted(guide.units.values_list("pk", flat=True))}
    for key, value in values.items():
        setattr(guide, key, value)
    after_units = sorted(u.pk for u in units)
    if {**snapshot(guide), "units": after_units} == before:
        return guide, False
    guide.version += 1
    guide.save()
    guide.units.set(units)
    record(
        "funding.guide.updated",
        guide,
        before=before,
        after={**snapshot(guide), "units": after_units},
        user=user,
    )
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
        _check_guide(values)
    for guide, values, _units in updates:
        _check_guide({name: getattr(guide, name) for name in GUIDE_FIELDS} | values)
    for values, units in creates:
        guide = Guide.objects.create(**values)
        guide.units.set(units)
        audit.add("funding.guide.created", guide, after={**snapshot(guide), "units": units})
    for guide, values, units in updates:
        before = {**snapshot(guide), "units": sorted(guide.units.values_list("pk", flat=True))}
        for key, value in values.items():
            setattr(guide, key, value)
        guide.version += 1
        guide.save()
        if units is not None:
            guide.units.set(units)
        audit.add(
            "funding.guide.updated",
            guide,
            before=before,
            after={**snapshot(guide), "units": sorted(guide.units.values_list("pk", flat=True))},
        )
