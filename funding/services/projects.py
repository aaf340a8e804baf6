"""Writes to projects (储备 to 到位) and their stage history."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import check_version
from common.money import format_amount
from common.validation import require_event_date
from org.models import Unit
from org.services import ensure_unit_access

from ..choices import STAGE_FLOW, Stage
from ..models import (
    Channel,
    Guide,
    Project,
    ProjectStageChange,
    Receipt,
)
from ..receipt_rule import (
    rejected_project_message,
)
from ..record_rules import check_project
from .base import _audit, _require_office

# the stages a project passes on its way to 到位 when money arrives on it
FUNDING_PATH = {
    Stage.RESERVE: [Stage.APPLIED, Stage.APPROVED, Stage.FUNDED],
    Stage.APPLIED: [Stage.APPROVED, Stage.FUNDED],
    Stage.IN_REVIEW: [Stage.APPROVED, Stage.FUNDED],
    Stage.APPROVED: [Stage.FUNDED],
    Stage.FUNDED: [],
}


def fund_project(
    *, user, project: Project, receipt: Receipt, audit: AuditBatch | None = None
) -> Project:
    """Money recorded on a project advances it to 到位 (through the stages it skipped, each
    kept in its history) and gives it the receipt's channel and level where it had none.
    A project marked 未获批 cannot receive money: the receipt is refused. `audit`: the batch
    of a bulk change (a ledger import) the events go into."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.stage == Stage.REJECTED:
        raise ValidationError(rejected_project_message(project.name), code="rejected")
    note = _("Money received: %(amount)s on %(date)s") % {
        "amount": format_amount(receipt.amount),
        "date": receipt.received_on.isoformat(),
    }
    for stage in FUNDING_PATH[project.stage]:
        # the project is locked and read in this transaction: its version is the one acted on
        project = advance_project(
            user=user,
            project=project,
            to_stage=stage,
            on=receipt.received_on,
            note=note,
            expected_version=project.version,
            audit=audit,
        )
    if project.channel_id is None and receipt.channel_id is not None:
        before = snapshot(project)
        project.channel_id = receipt.channel_id
        project.level = project.level or receipt.level
        project.version += 1
        project.save(update_fields=["channel", "level", "version"])
        _audit(
            audit,
            "funding.project.updated",
            project,
            before=before,
            after=snapshot(project),
            user=user,
        )
    return project


def code_taken_message(project: Project) -> str:
    """What a second project with a code already used is told: which project has it."""
    return _(
        "The project code %(code)s is already used by “%(name)s” of %(unit)s; choose another code."
    ) % {"code": project.code, "name": project.name, "unit": project.unit.name}


@transaction.atomic
def save_project(
    *,
    user,
    code: str,
    name: str,
    unit: Unit,
    channel: Channel | None = None,
    level: str = "",
    requested: int | None = None,
    stage: str = Stage.RESERVE,
    applied_on: dt.date | None = None,
    owner: str = "",
    follow_up=None,
    plan_year: int | None = None,
    measure=None,
    on: dt.date | None = None,
    **more,
) -> tuple[Project, bool]:
    """Create or update a project by code; a stage change is kept in its history.

    `more` are the reserve's other fields (`section`, `description`, `total_investment`,
    `approved_amount`, `next_follow_up_on`, `guide`); those not given are left as they are.
    """
    ensure_unit_access(user, unit)
    unknown = set(more) - PROJECT_MORE_FIELDS
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    values = {
        "name": name,
        "unit": unit,
        "channel": channel,
        "level": level,
        "requested": requested,
        "stage": stage,
        "applied_on": applied_on,
        "owner": owner,
        "follow_up": follow_up,
        "plan_year": plan_year,
        "measure": measure,
        **more,
    }
    check_project(values, unit=unit)
    project = Project.objects.select_for_update().filter(code=code).first()
    if project is None:
        project = Project.objects.create(code=code, **values)
        first_stage(user, project, on or applied_on or timezone.localdate()).save()
        record("funding.project.created", project, after=snapshot(project), user=user)
        return project, True
    ensure_unit_access(user, project.unit)
    event = change_project(user, project, values, on or timezone.localdate())
    if event is None:
        return project, False
    record("funding.project.updated", project, **event, user=user)
    return project, True


def first_stage(user, project: Project, on: dt.date) -> ProjectStageChange:
    """The first entry of a new project's stage history (not saved: one or a batch)."""
    return ProjectStageChange(
        project=project, from_stage="", to_stage=project.stage, changed_on=on, changed_by=user
    )


def change_project(user, project: Project, values: dict, on: dt.date) -> dict | None:
    """Change a locked project's fields to `values`, already checked (`check_project`): none
    when nothing changes; else a stage change goes into its history (on `on`), the version
    goes up, the project is saved and the audit event's before/after are returned."""
    before = snapshot(project)
    old_stage = project.stage
    for key, value in values.items():
        setattr(project, key, value)
    if snapshot(project) == before:
        return None
    if project.stage != old_stage:
        ProjectStageChange.objects.create(
            project=project,
            from_stage=old_stage,
            to_stage=project.stage,
            changed_on=on,
            changed_by=user,
        )
    project.version += 1
    project.save()
    return {"before": before, "after": snapshot(project)}


PROJECT_MORE_FIELDS = {
    "section",
    "description",
    "total_investment",
    "approved_amount",
    "next_follow_up_on",
    "guide",
}


# What a unit edits on its project page (the stage moves through `advance_project`).
PROJECT_EDIT_FIELDS = {
    "name",
    "channel",
    "level",
    "requested",
    "owner",
    "follow_up",
    "plan_year",
    "measure",
    *PROJECT_MORE_FIELDS,
} - {"guide", "approved_amount"}


@transaction.atomic
def create_project(*, user, code: str, unit: Unit, on: dt.date | None = None, **values) -> Project:
    """A unit adds a project to its reserve (储备). A code already used is refused, naming the
    project that has it."""
    ensure_unit_access(user, unit)
    code = code.strip()
    if not code:
        raise ValidationError(_("Give the project a code."), code="code")
    existing = Project.objects.select_related("unit").filter(code=code).first()
    if existing is not None:
        raise ValidationError(code_taken_message(existing), code="code_taken")
    unknown = set(values) - PROJECT_EDIT_FIELDS
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    project, _created = save_project(
        user=user, code=code, unit=unit, stage=Stage.RESERVE, on=on, **values
    )
    return project


@transaction.atomic
def update_project(
    *, user, project: Project, expected_version: int | None = None, **values
) -> tuple[Project, bool]:
    """A unit edits its project's reserve facts (not its stage, code or unit)."""
    project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
    ensure_unit_access(user, project.unit)
    check_version(project, expected_version)
    unknown = set(values) - PROJECT_EDIT_FIELDS
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    check_project(values, unit=project.unit)
    event = change_project(user, project, values, timezone.localdate())
    if event is None:
        return project, False
    record("funding.project.updated", project, **event, user=user)
    return project, True


@transaction.atomic
def advance_project(
    *,
    user,
    project: Project,
    to_stage: str,
    on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
    approved_amount: int | None = None,
    guide: Guide | None = None,
    audit: AuditBatch | None = None,
    plan: str = "",
    batch: str = "",
    plan_amount: int | None = None,
) -> Project:
    """Move a project to its next stage (储备→申报→审核→纳入计划→批复→到位, or 未获批).

    On approval the approved amount (批复金额) may be given; on application the guide it
    answers; on inclusion in a higher-level plan (纳入计划) the plan, its batch and the
    amount in it, the date being the stage's. `audit`: the batch of a bulk change the event
    goes into."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_unit_access(user, project.unit)
    check_version(project, expected_version)
    if approved_amount is not None and approved_amount < 0:
        raise ValidationError(_("An amount cannot be negative."), code="approved_amount")
    if plan_amount is not None and plan_amount < 0:
        raise ValidationError(_("An amount cannot be negative."), code="plan_amount")
    plan, batch = (plan or "").strip()[:200], (batch or "").strip()[:100]
    if to_stage == Stage.INCLUDED and not plan:
        raise ValidationError(
            _("Name the plan or project library the project was included in."), code="plan"
        )
    if to_stage not in STAGE_FLOW.get(project.stage, set()):
        raise ValidationError(
            _("A project cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": Stage(project.stage).label,
                "to": Stage(to_stage).label if to_stage in Stage.values else to_stage,
            }
        )
    on = require_event_date(on or timezone.localdate())
    before = snapshot(project)
    ProjectStageChange.objects.create(
        project=project,
        from_stage=project.stage,
        to_stage=to_stage,
        changed_on=on,
        note=note,
        changed_by=user,
    )
    project.stage = to_stage
    if to_stage == Stage.APPLIED and project.applied_on is None:
        project.applied_on = on
    if to_stage == Stage.APPROVED and approved_amount is not None:
        project.approved_amount = approved_amount
    if to_stage == Stage.INCLUDED:
        project.included_plan, project.included_batch = plan, batch
        project.included_on, project.included_amount = on, plan_amount
    if guide is not None:
        project.guide = guide
    project.version += 1
    project.save()
    _audit(
        audit,
        "funding.project.advanced",
        project,
        before=before,
        after={**snapshot(project), "note": note},
        user=user,
    )
    return project


def bulk_save_projects(
    *,
    user,
    audit: AuditBatch,
    creates: list[dict],
    updates: list[tuple[Project, dict]],
    on: dt.date | None = None,
) -> None:
    """Create projects (dicts of Project fields, `unit_id`/`channel_id` as ids) and change
    others (`(project, {field: value})`), as `save_project` does: the first stage and every
    stage change go into the history (on `applied_on`, else `on`, else today), versions go
    up, one audit event per project."""
    _require_office(user)
    on = on or timezone.localdate()
    for values in [*creates, *(wanted for _project, wanted in updates)]:
        check_project(values)
    Project.objects.bulk_create([Project(**values) for values in creates], batch_size=1000)
    created = list(Project.objects.filter(code__in=[values["code"] for values in creates]))
    ProjectStageChange.objects.bulk_create(
        [first_stage(user, project, project.applied_on or on) for project in created],
        batch_size=1000,
    )
    for project in created:
        audit.add(
            "funding.project.created",
            project,
            after=snapshot(project),
            object_repr=f"{project.code} {project.name}",
        )
    for project, wanted in updates:
        event = change_project(user, project, wanted, on)
        if event is not None:
            audit.add(
                "funding.project.updated",
                project,
                **event,
                object_repr=f"{project.code} {project.name}",
            )
