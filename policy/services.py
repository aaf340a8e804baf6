"""All writes to policies, measures, work items, milestones, plans and progress reports."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from common.permissions import Role, role_of
from common.services import require
from common.validation import require_event_date
from org.models import Leader, Unit
from org.services import ensure_unit_access

from .models import (
    Aspect,
    Assignment,
    AssignmentRole,
    Measure,
    Milestone,
    Policy,
    ProgressReport,
    WorkItem,
)


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


@transaction.atomic
def save_aspect(*, user, code: str, name: str, sort_order: int = 0) -> Aspect:
    _require_office(user)
    aspect, created = Aspect.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": sort_order}
    )
    if created:
        record("policy.aspect.created", aspect, after=snapshot(aspect), user=user)
    return aspect


@transaction.atomic
def save_policy(*, user, title: str, **fields) -> Policy:
    _require_office(user)
    policy, created = Policy.objects.get_or_create(title=title, defaults=fields)
    if created:
        record("policy.policy.created", policy, after=snapshot(policy), user=user)
    return policy


@transaction.atomic
def save_measure(*, user, policy: Policy, aspect: Aspect, code: str, text: str) -> Measure:
    _require_office(user)
    measure, created = Measure.objects.get_or_create(
        policy=policy, code=code, defaults={"aspect": aspect, "text": text}
    )
    if created:
        record("policy.measure.created", measure, after=snapshot(measure), user=user)
    return measure


@transaction.atomic
def save_work_item(
    *,
    user,
    policy: Policy,
    code: str,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units: list[Unit] = (),
    due_on: dt.date,
    measure: Measure | None = None,
    goal: str = "",
) -> tuple[WorkItem, bool]:
    """Create a work item with its one lead unit and co-units (idempotent by code)."""
    _require_office(user)
    if lead_unit in co_units:
        raise ValidationError(_("The lead unit cannot also be a co-unit."))
    item = WorkItem.objects.filter(code=code).first()
    if item is not None:
        return item, False
    item = WorkItem.objects.create(
        policy=policy,
        code=code,
        title=title,
        lead_leader=lead_leader,
        due_on=due_on,
        measure=measure,
        goal=goal,
    )
    Assignment.objects.create(work_item=item, unit=lead_unit, role=AssignmentRole.LEAD)
    Assignment.objects.bulk_create(
        Assignment(work_item=item, unit=unit, role=AssignmentRole.CO) for unit in co_units
    )
    record(
        "policy.work_item.created",
        item,
        after={**snapshot(item), "lead_unit": lead_unit.pk, "co_units": [u.pk for u in co_units]},
        user=user,
    )
    return item, True


@transaction.atomic
def add_milestone(
    *, user, work_item: WorkItem, title: str, due_on: dt.date, done_on: dt.date | None = None
) -> Milestone:
    _require_office(user)
    milestone, created = Milestone.objects.get_or_create(
        work_item=work_item, title=title, defaults={"due_on": due_on, "done_on": done_on}
    )
    if created:
        record("policy.milestone.created", milestone, after=snapshot(milestone), user=user)
    return milestone


@transaction.atomic
def file_progress_report(
    *,
    user,
    work_item: WorkItem,
    unit: Unit,
    reported_on: dt.date,
    text: str,
    percent: int = 0,
    problems: str = "",
) -> ProgressReport:
    """A unit reports progress on an item it is assigned to."""
    ensure_unit_access(user, unit)
    require_event_date(reported_on)  # a report dated 9999-12-31 would stay "the latest"
    if not work_item.assignments.filter(unit=unit).exists():
        raise ValidationError(_("This unit is not responsible for the work item."))
    if not 0 <= percent <= 100:
        raise ValidationError(_("Percent done must be between 0 and 100."))
    report = ProgressReport.objects.create(
        work_item=work_item,
        unit=unit,
        reported_on=reported_on,
        text=text,
        percent=percent,
        problems=problems,
        reporter=user,
    )
    if user is None or role_of(user) != Role.UNIT_OFFICER:
        # heads, the office and the system sign their own reports; officers wait for the head
        report.approved_by, report.approved_at = user, timezone.now()
        report.save(update_fields=["approved_by", "approved_at"])
    record("policy.progress_report.created", report, after=snapshot(report), user=user)
    return report


@transaction.atomic
def approve_progress_report(*, user, report: ProgressReport) -> ProgressReport:
    """The unit head approves a report the unit's officer submitted."""
    require(role_of(user) == Role.UNIT_HEAD)
    ensure_unit_access(user, report.unit)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.approved_at is not None:
        raise ValidationError(_("This report is already approved."))
    before = snapshot(report)
    report.approved_by, report.approved_at = user, timezone.now()
    report.save(update_fields=["approved_by", "approved_at"])
    record(
        "policy.progress_report.approved", report, before=before, after=snapshot(report), user=user
    )
    return report
