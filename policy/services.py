"""All writes to policies, measures, work items, milestones, plans and progress reports."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import changes, record, snapshot
from audit.versions import check_version
from common.files import check_upload, max_upload_bytes
from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from common.services import require
from common.validation import require_event_date
from org.models import Leader, Section, Unit
from org.services import ensure_unit_access

from .models import (
    Aspect,
    Assignment,
    AssignmentRole,
    CloseRequest,
    DueDateChange,
    Evidence,
    ExtensionRequest,
    Measure,
    Milestone,
    PlanStep,
    Policy,
    ProgressReport,
    WorkItem,
    WorkPlan,
)
from .planning import Schedule, ScheduleError, schedule_backwards


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
    """A time node of an item, set by the office or the item's lead unit (idempotent by title)."""
    require_item_change(user, work_item)
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


def _decidable_report(user, report: ProgressReport, expected_version) -> ProgressReport:
    """The report locked for its head's decision: only the unit head decides, only a report
    still awaiting the head."""
    require(role_of(user) == Role.UNIT_HEAD)
    ensure_unit_access(user, report.unit)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    check_version(report, expected_version)
    if report.approved_at is not None:
        raise ValidationError(_("This report is already approved."))
    if report.returned_at is not None:
        raise ValidationError(_("This report was sent back; the officer files a new one."))
    return report


@transaction.atomic
def approve_progress_report(
    *, user, report: ProgressReport, expected_version: int | None = None
) -> ProgressReport:
    """The unit head approves a report the unit's officer submitted: from now on it is the
    item's progress (if it is the latest approved)."""
    report = _decidable_report(user, report, expected_version)
    before = snapshot(report)
    report.approved_by, report.approved_at = user, timezone.now()
    report.version += 1
    report.save(update_fields=["approved_by", "approved_at", "version"])
    record(
        "policy.progress_report.approved", report, before=before, after=snapshot(report), user=user
    )
    return report


@transaction.atomic
def send_back_progress_report(
    *, user, report: ProgressReport, comment: str, expected_version: int | None = None
) -> ProgressReport:
    """The unit head sends a submitted report back with a comment: it is never the item's
    progress; the officer reads the comment and files a new report."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say why the report is sent back."))
    report = _decidable_report(user, report, expected_version)
    before = snapshot(report)
    report.returned_by, report.returned_at = user, timezone.now()
    report.return_comment = comment
    report.version += 1
    report.save(update_fields=["returned_by", "returned_at", "return_comment", "version"])
    record(
        "policy.progress_report.returned", report, before=before, after=snapshot(report), user=user
    )
    return report


# --- Policies, measures and work items edited by the office ---------------------------

POLICY_FIELDS = ("title", "short_name", "issuer", "doc_no", "issued_on", "summary")


@transaction.atomic
def edit_policy(
    *, user, policy: Policy | None, expected_version: int | None = None, **fields
) -> Policy:
    """Create (policy None) or change a policy document (from the version it was read at);
    audited before → after."""
    _require_office(user)
    fields = {k: v for k, v in fields.items() if k in POLICY_FIELDS}
    if not (fields.get("title") or "").strip():
        raise ValidationError(_("A policy needs a title."))
    clash = Policy.objects.filter(title=fields["title"])
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationError(_("A policy with this title already exists."))
    if policy is None:
        policy = Policy.objects.create(**fields)
        record("policy.policy.created", policy, after=snapshot(policy), user=user)
        return policy
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    check_version(policy, expected_version)
    before = snapshot(policy)
    for key, value in fields.items():
        setattr(policy, key, value)
    old, new = changes(before, snapshot(policy))
    if new:
        policy.version += 1
        policy.save()
        new["version"] = policy.version
        record("policy.policy.updated", policy, before=old, after=new, user=user)
    return policy


@transaction.atomic
def edit_measure(
    *,
    user,
    policy: Policy,
    measure: Measure | None,
    aspect: Aspect,
    code: str,
    text: str,
    expected_version: int | None = None,
) -> Measure:
    """Create (measure None) or change a support measure of `policy` (from the version it
    was read at)."""
    _require_office(user)
    code, text = code.strip(), text.strip()
    if not code or not text:
        raise ValidationError(_("A measure needs a code and its text."))
    clash = Measure.objects.filter(policy=policy, code=code)
    if measure is not None:
        clash = clash.exclude(pk=measure.pk)
    if clash.exists():
        raise ValidationError(_("The policy already has a measure %(code)s.") % {"code": code})
    if measure is None:
        measure = Measure.objects.create(policy=policy, aspect=aspect, code=code, text=text)
        record("policy.measure.created", measure, after=snapshot(measure), user=user)
        return measure
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    check_version(measure, expected_version)
    before = snapshot(measure)
    measure.aspect, measure.code, measure.text = aspect, code, text
    old, new = changes(before, snapshot(measure))
    if new:
        measure.version += 1
        measure.save()
        new["version"] = measure.version
        record("policy.measure.updated", measure, before=old, after=new, user=user)
    return measure


@transaction.atomic
def edit_work_item(
    *,
    user,
    item: WorkItem,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units: list[Unit],
    measure: Measure | None,
    goal: str = "",
    expected_version: int | None = None,
) -> WorkItem:
    """Change an item's title, goal, measure, lead leader and units (the division of labour).

    The due date changes only by rescheduling, with a reason (`reschedule_work_item`).
    """
    _require_office(user)
    if lead_unit in co_units:
        raise ValidationError(_("The lead unit cannot also be a co-unit."))
    if measure is not None and measure.policy_id != item.policy_id:
        raise ValidationError(_("The measure belongs to another policy."))
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)

    def units_of(work_item):
        rows = work_item.assignments.values_list("unit_id", "role")
        return {
            "lead_unit": next((u for u, r in rows if r == AssignmentRole.LEAD), None),
            "co_units": sorted(u for u, r in rows if r == AssignmentRole.CO),
        }

    before = {**snapshot(item), **units_of(item)}
    item.title, item.goal, item.lead_leader, item.measure = title, goal, lead_leader, measure
    item.assignments.all().delete()
    Assignment.objects.create(work_item=item, unit=lead_unit, role=AssignmentRole.LEAD)
    Assignment.objects.bulk_create(
        Assignment(work_item=item, unit=unit, role=AssignmentRole.CO) for unit in co_units
    )
    after = {**snapshot(item), **units_of(item), "version": item.version}
    old, new = changes(before, after)
    if new:
        item.version += 1
        item.save()
        new["version"] = item.version
        record("policy.work_item.updated", item, before=old, after=new, user=user)
    return item


# --- Who may act on an item or milestone ----------------------------------------------


def lead_unit_id(item: WorkItem) -> int | None:
    return (
        item.assignments.filter(role=AssignmentRole.LEAD).values_list("unit_id", flat=True).first()
    )


def can_change_item(user, item: WorkItem) -> bool:
    """The office, or the item's lead unit (its head or liaison officer)."""
    role = role_of(user)
    if role == Role.OFFICE:
        return True
    return role in UNIT_ROLES and unit_id_of(user) == lead_unit_id(item)


def require_item_change(user, item: WorkItem) -> None:
    if user is not None:
        require(can_change_item(user, item))


def can_change_milestone(user, milestone: Milestone) -> bool:
    """An item's milestone: as its item; a corrective measure: the office or its unit."""
    if milestone.work_item_id is not None:
        return can_change_item(user, milestone.work_item)
    role = role_of(user)
    return role == Role.OFFICE or (role in UNIT_ROLES and unit_id_of(user) == milestone.unit_id)


def require_milestone_change(user, milestone: Milestone) -> None:
    if user is not None:
        require(can_change_milestone(user, milestone))


# --- Done with evidence, or rescheduled with a reason ----------------------------------


def _check_done_on(done_on: dt.date, *, today: dt.date | None = None) -> None:
    if done_on > (today or timezone.localdate()):
        raise ValidationError(_("The date it was done cannot be in the future."))


def _attach(user, upload, checked, *, work_item=None, milestone=None, **request) -> Evidence | None:
    """Store a checked evidence file and write its row (in the caller's transaction);
    `request`: the unit's request it is filed with (`extension_request=` / `close_request=`).

    The file is written last; if its row cannot be written the file is removed again. (A
    transaction rolled back later leaves an unreferenced 0600 file, never a row without one.)
    """
    if upload is None:
        return None
    stored = Evidence.FOLDER.store(upload, max_bytes=max_upload_bytes())
    try:
        item = Evidence.objects.create(
            work_item=work_item,
            milestone=milestone,
            **request,
            name=checked.name,
            stored_as=stored.name,
            size=stored.size,
            content_type=checked.content_type,
            sha256=stored.sha256,
            uploaded_at=timezone.now(),
            uploaded_by=user,
        )
        record(
            "policy.evidence.attached",
            item,
            after={
                "name": item.name,
                "size": item.size,
                "sha256": stored.sha256,
                "work_item": work_item.pk if work_item else None,
                "milestone": milestone.pk if milestone else None,
                **{key: value.pk for key, value in request.items()},
            },
            user=user,
        )
    except Exception:
        Evidence.FOLDER.discard(stored.name)
        raise
    return item


def _checked(upload):
    return check_upload(upload.name, upload) if upload is not None else None


@transaction.atomic
def complete_milestone(
    *,
    user,
    milestone: Milestone,
    done_on: dt.date,
    note: str = "",
    upload=None,
    expected_version: int | None = None,
) -> Milestone:
    """Mark a milestone done on `done_on`, with what was done and an evidence file."""
    require_milestone_change(user, milestone)
    _check_done_on(done_on)
    checked = _checked(upload)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    check_version(milestone, expected_version)
    if milestone.done_on is not None:
        raise ValidationError(_("This milestone is already done."))
    before = snapshot(milestone)
    milestone.done_on, milestone.done_note = done_on, note
    milestone.version += 1
    milestone.save()
    record("policy.milestone.done", milestone, before=before, after=snapshot(milestone), user=user)
    _attach(user, upload, checked, milestone=milestone)
    return milestone


@transaction.atomic
def complete_work_item(
    *,
    user,
    item: WorkItem,
    done_on: dt.date,
    note: str = "",
    upload=None,
    expected_version: int | None = None,
) -> WorkItem:
    """The office closes a work item itself (销号), with what was done and evidence: it leaves
    已逾期 / 即将到期 for 已完成 (policy/states.py). A unit asks instead (`request_closing` in
    policy/approvals/services.py), and only the office's confirmation sets `done_on`."""
    _require_office(user)
    _check_done_on(done_on)
    checked = _checked(upload)
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)
    if item.done_on is not None:
        raise ValidationError(_("This work item is already done."))
    if CloseRequest.objects.pending().filter(work_item=item).exists():
        raise ValidationError(_("The lead unit has asked to close this item: decide its request."))
    before = snapshot(item)
    item.done_on, item.done_note = done_on, note
    item.version += 1
    item.save()
    record("policy.work_item.done", item, before=before, after=snapshot(item), user=user)
    _attach(user, upload, checked, work_item=item)
    return item


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the new date."))
    return reason


@transaction.atomic
def reschedule_milestone(
    *,
    user,
    milestone: Milestone,
    due_on: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Milestone:
    """The office moves a milestone's due date; the old date and the reason are kept and
    shown. A unit files an extension request instead (policy/approvals/services.py)."""
    _require_office(user)
    reason = _check_reason(reason)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    check_version(milestone, expected_version)
    if milestone.done_on is not None:
        raise ValidationError(_("A milestone that is done cannot be rescheduled."))
    _no_pending_extension(milestone=milestone)
    _move_due_date(
        user, milestone, due_on, reason, "policy.milestone.rescheduled", milestone=milestone
    )
    return milestone


@transaction.atomic
def reschedule_work_item(
    *,
    user,
    item: WorkItem,
    due_on: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> WorkItem:
    """The office moves a work item's due date (the division of labour); reason required."""
    _require_office(user)
    reason = _check_reason(reason)
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    check_version(item, expected_version)
    if item.done_on is not None:
        raise ValidationError(_("A work item that is done cannot be rescheduled."))
    _no_pending_extension(work_item=item)
    _move_due_date(user, item, due_on, reason, "policy.work_item.rescheduled", work_item=item)
    return item


def _no_pending_extension(**target) -> None:
    """The office decides a unit's pending extension request before moving the date itself
    (else the request would be answered by a date it never asked for)."""
    if ExtensionRequest.objects.pending().filter(**target).exists():
        raise ValidationError(
            _("The unit has asked for an extension: approve or refuse its request first.")
        )


def _move_due_date(user, obj, due_on: dt.date, reason: str, action: str, **owner) -> None:
    """Move a locked milestone's or work item's due date, keeping the old date and the reason
    (a `DueDateChange` of `owner`), and audit it."""
    if due_on == obj.due_on:
        raise ValidationError(_("The new date is the same as the current one."))
    before = snapshot(obj)
    DueDateChange.objects.create(
        **owner,
        old_due_on=obj.due_on,
        new_due_on=due_on,
        reason=reason,
        changed_at=timezone.now(),
        changed_by=user,
    )
    obj.due_on = due_on
    obj.version += 1
    obj.save()
    record(action, obj, before=before, after={**snapshot(obj), "reason": reason}, user=user)


@transaction.atomic
def add_measure_milestone(*, user, unit: Unit, title: str, due_on: dt.date) -> Milestone:
    """A corrective measure followed as a milestone of the unit (no work item)."""
    milestone = Milestone.objects.create(unit=unit, title=title[:200], due_on=due_on)
    record("policy.milestone.created", milestone, after=snapshot(milestone), user=user)
    return milestone


# --- Work plans scheduled backwards ---------------------------------------------------


def plan_schedule(deadline: dt.date, steps: list[tuple[str, int]]) -> Schedule:
    """Schedule steps on the office's calendar (every year from a year before the deadline)."""
    from org.calendar import load_calendar

    first_year = deadline.year - 2
    return schedule_backwards(deadline, steps, load_calendar(first_year, deadline.year))


@transaction.atomic
def save_work_plan(
    *,
    user,
    item: WorkItem,
    deadline: dt.date,
    steps: list[dict],
    content: str = "",
    expected_version: int | None = None,
    as_of: dt.date | None = None,
) -> tuple[WorkPlan, Schedule]:
    """The lead unit's plan: `steps` ({title, workdays, section, person}) scheduled backwards
    from `deadline`; each step is followed as a milestone of the item (due on its last day).

    Saving again replaces the steps but not the milestones that follow them: the open ones
    are taken over in order by the new steps, their date moved (the old date kept, as a
    reschedule) and their title changed, so their reminders and history go on; those left
    over are removed; a milestone already done is kept as it is. A unit cannot postpone or
    remove a node already overdue on `as_of` this way (it files an extension request).
    """
    require_item_change(user, item)
    unit_id = lead_unit_id(item)
    if unit_id is None:
        raise ValidationError(_("The work item has no lead unit."))
    if deadline > item.due_on:
        raise ValidationError(
            _("The plan's deadline is after the item's due date %(due)s.")
            % {"due": item.due_on.isoformat()}
        )
    for step in steps:
        section, person = step.get("section"), step.get("person")
        if section is not None and section.unit_id != unit_id:
            raise ValidationError(_("A step's section must belong to the lead unit."))
        if person is not None and unit_id_of(person) != unit_id:
            raise ValidationError(_("A step's person must work in the lead unit."))
    try:
        schedule = plan_schedule(deadline, [(s["title"], s["workdays"]) for s in steps])
    except ScheduleError as error:
        raise ValidationError(str(error)) from None
    plan = WorkPlan.objects.select_for_update().filter(work_item=item, unit_id=unit_id).first()
    created = plan is None
    open_milestones: list[Milestone] = []  # of the steps replaced, in their order
    if created:
        plan = WorkPlan.objects.create(
            work_item=item, unit_id=unit_id, deadline=deadline, content=content
        )
        before = {}
    else:
        check_version(plan, expected_version)
        before = {
            **snapshot(plan),
            "steps": [
                [s.title, s.workdays, s.starts_on, s.ends_on]
                for s in plan.steps.order_by("position")
            ],
        }
        for old in plan.steps.select_related("milestone").order_by("position"):
            milestone = old.milestone
            old.delete()
            if milestone is not None and milestone.done_on is None:
                open_milestones.append(milestone)
        if as_of is not None and role_of(user) in UNIT_ROLES:
            _keep_overdue_nodes(open_milestones, [s.ends_on for s in schedule.steps], as_of)
        plan.deadline, plan.content = deadline, content
        plan.version += 1
        plan.save()
    for scheduled, step in zip(schedule.steps, steps, strict=True):
        if open_milestones:
            milestone = _replan_milestone(
                user, open_milestones.pop(0), scheduled.title[:200], scheduled.ends_on
            )
        else:
            milestone = Milestone.objects.create(
                work_item=item, title=scheduled.title[:200], due_on=scheduled.ends_on
            )
        PlanStep.objects.create(
            plan=plan,
            position=scheduled.position,
            title=scheduled.title,
            workdays=scheduled.workdays,
            starts_on=scheduled.starts_on,
            ends_on=scheduled.ends_on,
            section=step.get("section"),
            person=step.get("person"),
            milestone=milestone,
        )
    for milestone in open_milestones:  # steps the plan no longer has
        record("policy.milestone.removed", milestone, before=snapshot(milestone), user=user)
        milestone.delete()
    after = {
        **snapshot(plan),
        "steps": [[s.title, s.workdays, s.starts_on, s.ends_on] for s in schedule.steps],
        "calendar_warning": schedule.warning,
    }
    record(
        "policy.work_plan.created" if created else "policy.work_plan.updated",
        plan,
        before=before or None,
        after=after,
        user=user,
    )
    return plan, schedule


def _keep_overdue_nodes(nodes: list[Milestone], new_dates: list[dt.date], as_of: dt.date) -> None:
    """A unit re-planning may not clear an overdue node by moving it later or dropping it:
    the nodes are taken over in order (`save_work_plan`), the ones left over are removed."""
    for position, node in enumerate(nodes):
        if node.due_on >= as_of:
            continue
        if position >= len(new_dates) or new_dates[position] > node.due_on:
            raise ValidationError(
                _(
                    "The time node “%(title)s” is overdue (due %(due)s): a new plan cannot "
                    "postpone or remove it. Ask the office for an extension."
                )
                % {"title": node.title, "due": node.due_on.isoformat()}
            )


def _replan_milestone(user, milestone: Milestone, title: str, due_on: dt.date) -> Milestone:
    """A replaced step's open milestone taken over by the new step in its place: its date
    moved as a reschedule (the old date kept, the plan's change as the reason) and its title
    changed, each audited."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if due_on != milestone.due_on:
        reason = _("The work plan was saved again with new dates.")
        _move_due_date(
            user, milestone, due_on, reason, "policy.milestone.rescheduled", milestone=milestone
        )
    if title != milestone.title:
        before = snapshot(milestone)
        milestone.title = title
        milestone.version += 1
        milestone.save()
        record(
            "policy.milestone.updated",
            milestone,
            before=before,
            after=snapshot(milestone),
            user=user,
        )
    return milestone


def sections_of(unit_id: int):
    return Section.objects.filter(unit_id=unit_id).order_by("name")


def record_evidence_download(*, user, evidence: Evidence) -> None:
    """Reading an evidence file is audited (who read which file when)."""
    record(
        "policy.evidence.downloaded",
        evidence,
        after={"name": evidence.name, "sha256": evidence.sha256},
        user=user,
    )


@transaction.atomic
def create_work_item(
    *,
    user,
    policy: Policy,
    code: str,
    title: str,
    lead_leader: Leader,
    lead_unit: Unit,
    co_units=(),
    due_on: dt.date,
    measure: Measure | None = None,
    goal: str = "",
    milestones: list[tuple[dt.date, str]] = (),
    **_ignored,
) -> WorkItem:
    """A new work item of the division of labour, with its time nodes (date, title)."""
    _require_office(user)
    if WorkItem.objects.filter(code=code).exists():
        raise ValidationError(_("A work item with this code already exists."))
    if measure is not None and measure.policy_id != policy.pk:
        raise ValidationError(_("The measure belongs to another policy."))
    item, _created = save_work_item(
        user=user,
        policy=policy,
        code=code,
        title=title,
        lead_leader=lead_leader,
        lead_unit=lead_unit,
        co_units=list(co_units),
        due_on=due_on,
        measure=measure,
        goal=goal,
    )
    for node_due, node_title in milestones:
        add_milestone(user=user, work_item=item, title=node_title, due_on=node_due)
    return item


# --- The ledger's 工作事项 sheet --------------------------------------------------------


def bulk_save_work_items(
    *,
    user,
    audit,
    creates: list[dict],
    updates: list[tuple[WorkItem, dict]],
    reason: str,
    new_policies: list[str] = (),
) -> None:
    """Create and change work items from the ledger (the rules of `save_work_item`,
    `edit_work_item`, `add_milestone` and `reschedule_*`, audited into the import's batch).

    A row: {code, title, goal, policy_id, measure_id, lead_leader_id, lead_unit_id,
    co_unit_ids, due_on, milestones [(due_on, title)]}; an update carries only what changes
    (plus `milestones`: nodes to add, and `moves`: {node: new due date}). A moved due date
    keeps the old one in `DueDateChange` with `reason` (the import's file name)."""
    _require_office(user)
    now = timezone.now()
    policy_ids = {}
    for name in new_policies:
        policy = Policy.objects.create(title=name, short_name=name[:50])
        audit.add("policy.policy.created", policy, after=snapshot(policy))
        policy_ids[name] = policy.pk

    def policy_id(value):  # an id, or the name of a policy created just now
        return policy_ids.get(value, value) if isinstance(value, str) else value

    for row in creates:
        item = WorkItem.objects.create(
            policy_id=policy_id(row["policy_id"]),
            measure_id=row.get("measure_id"),
            code=row["code"],
            title=row["title"],
            goal=row.get("goal", ""),
            lead_leader_id=row["lead_leader_id"],
            due_on=row["due_on"],
        )
        _assign(item, row["lead_unit_id"], row.get("co_unit_ids", []))
        audit.add(
            "policy.work_item.created",
            item,
            after={
                **snapshot(item),
                "lead_unit": row["lead_unit_id"],
                "co_units": row.get("co_unit_ids", []),
            },
        )
        for due_on, title in row.get("milestones", []):
            node = Milestone.objects.create(work_item=item, title=title, due_on=due_on)
            audit.add("policy.milestone.created", node, after=snapshot(node))
    for item, wanted in updates:
        before = snapshot(item)
        fields = {
            k: v
            for k, v in wanted.items()
            if k in ("title", "goal", "policy_id", "measure_id", "lead_leader_id", "due_on")
        }
        if "policy_id" in fields:
            fields["policy_id"] = policy_id(fields["policy_id"])
        if "due_on" in fields:
            DueDateChange.objects.create(
                work_item=item,
                old_due_on=item.due_on,
                new_due_on=fields["due_on"],
                reason=reason,
                changed_at=now,
                changed_by=user,
            )
        for key, value in fields.items():
            setattr(item, key, value)
        units_changed = "lead_unit_id" in wanted or "co_unit_ids" in wanted
        if units_changed:
            rows = list(item.assignments.values_list("unit_id", "role"))
            lead = wanted.get("lead_unit_id", next(u for u, r in rows if r == AssignmentRole.LEAD))
            co = wanted.get("co_unit_ids", [u for u, r in rows if r == AssignmentRole.CO])
            item.assignments.all().delete()
            _assign(item, lead, [u for u in co if u != lead])
        if fields or units_changed:
            item.version += 1
            item.save()
            after = {**snapshot(item)}
            if units_changed:
                after.update(lead_unit=lead, co_units=co)
            audit.add("policy.work_item.updated", item, before=before, after=after)
        for due_on, title in wanted.get("milestones", []):
            node = Milestone.objects.create(work_item=item, title=title, due_on=due_on)
            audit.add("policy.milestone.created", node, after=snapshot(node))
        for node, due_on in wanted.get("moves", {}).items():
            node_before = snapshot(node)
            DueDateChange.objects.create(
                milestone=node,
                old_due_on=node.due_on,
                new_due_on=due_on,
                reason=reason,
                changed_at=now,
                changed_by=user,
            )
            node.due_on = due_on
            node.version += 1
            node.save(update_fields=["due_on", "version"])
            audit.add(
                "policy.milestone.rescheduled", node, before=node_before, after=snapshot(node)
            )


def _assign(item: WorkItem, lead_unit_id: int, co_unit_ids: list[int]) -> None:
    Assignment.objects.create(work_item=item, unit_id=lead_unit_id, role=AssignmentRole.LEAD)
    Assignment.objects.bulk_create(
        Assignment(work_item=item, unit_id=unit_id, role=AssignmentRole.CO)
        for unit_id in co_unit_ids
    )
