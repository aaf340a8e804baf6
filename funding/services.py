"""All writes to funding: targets, receipts, projects, leads, guides, contacts."""

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import StaleObjectError, check_version
from common.files import check_upload, max_upload_bytes
from common.money import format_amount
from common.permissions import CHANGE, Role, role_of
from common.querysets import ALL, unit_scope
from common.services import indexes_built_after, insert_rows, new_ids, require
from common.validation import require_event_date
from org.models import Leader, Unit
from org.services import ensure_unit_access

from . import rollup_triggers
from .choices import STAGE_FLOW, ContactDirection, ContactResult, LeadStatus, Level, Stage
from .docno import normalise_doc_no
from .figures import amount_in_force
from .models import (
    Channel,
    ClaimReview,
    Contact,
    Counterpart,
    Guide,
    Lead,
    MaterialRequirement,
    Project,
    ProjectMaterial,
    ProjectStageChange,
    Receipt,
    Target,
    TargetRevision,
)
from .querysets import receipt_book
from .receipt_rule import (
    CheckedReceipt,
    check_receipt,
    complete_links,
    rejected_project_message,
)


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


@transaction.atomic
def save_channel(*, user, code: str, name: str, level: str) -> Channel:
    _require_office(user)
    channel, created = Channel.objects.get_or_create(
        code=code, defaults={"name": name, "level": level}
    )
    if created:
        record("funding.channel.created", channel, after=snapshot(channel), user=user)
    return channel


def effective_date(year: int, effective_on: dt.date | None, *, today: dt.date) -> dt.date:
    """The day a target revision takes effect: the one given, which must lie in the target's
    year, else `today` kept inside that year (before it: 1 January; after it: 31 December)."""
    if effective_on is None:
        return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    if effective_on.year != year:
        raise ValidationError(
            _("The effective date must be within %(year)s, the year of the target.")
            % {"year": year},
            code="effective_on",
        )
    return effective_on


@transaction.atomic
def set_target(
    *,
    user,
    unit: Unit,
    year: int,
    amount: int,
    reason: str = "",
    effective_on: dt.date | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> tuple[Target, bool]:
    """Set a unit's annual target; a change is a revision in force from `effective_on`.

    A new target is in force from 1 January whatever `effective_on` says. A change of an
    existing one is recorded only when `amount` differs from the amount in force on the
    effective date (default: the day it is saved, kept inside `year`); the old amount stays in
    the revision. `Target.amount` is then the amount in force on 31 December (the latest
    revision by effective date), which a back-dated revision need not change.
    """
    _require_office(user)
    if amount < 0:
        raise ValidationError(_("A target must not be negative."))
    at = at or timezone.now()
    effective_on = effective_date(year, effective_on, today=timezone.localdate(at))
    target = Target.objects.select_for_update().filter(unit=unit, year=year).first()
    if target is None:
        target = Target.objects.create(unit=unit, year=year, amount=amount)
        record("funding.target.created", target, after=snapshot(target), user=user)
        return target, True
    check_version(target, expected_version)
    history = list(
        target.revisions.order_by("pk").values_list(
            "pk", "effective_on", "old_amount", "new_amount"
        )
    )
    original = history[0][2] if history else target.amount
    revisions = [(on, pk, new) for pk, on, _old, new in history]
    in_force = amount_in_force(original, revisions, effective_on)
    if in_force == amount:
        return target, False
    before = snapshot(target)
    revision = TargetRevision.objects.create(
        target=target,
        old_amount=in_force,
        new_amount=amount,
        effective_on=effective_on,
        reason=reason,
        changed_at=at,
        changed_by=user,
    )
    revisions.append((effective_on, revision.pk, amount))
    target.amount = amount_in_force(original, revisions, dt.date(year, 12, 31))
    target.version += 1
    target.save(update_fields=["amount", "version"])
    record(
        "funding.target.revised",
        target,
        before=before,
        after={
            **snapshot(target),
            "old_amount": in_force,
            "new_amount": amount,
            "effective_on": effective_on,
            "reason": reason,
        },
        user=user,
    )
    return target, True


def _record_scope(user):
    """The units `user` may record receipts for, as the receipt rule takes them (None: all)."""
    if user is None:
        return None
    scope = unit_scope(user, CHANGE)
    return None if scope == ALL else set(scope)


def checked_receipt(
    *,
    user,
    unit: Unit,
    amount: int,
    received_on: dt.date,
    doc_no: str,
    project: Project | None,
    channel: Channel | None,
    level: str,
    note: str,
    exclude: int | None = None,
) -> CheckedReceipt:
    """The receipt rule (`receipt_rule.check_receipt`) for one record, its book read for
    this unit and 文号 only (`exclude`: a receipt being corrected, left out)."""
    book = receipt_book(
        exclude=exclude,
        units=_record_scope(user),
        unit_ids=[unit.pk],
        doc_keys=[normalise_doc_no(doc_no)],
        project_ids=[project.pk] if project is not None else [],
        channel_ids=[channel.pk] if channel is not None else [],
    )
    return check_receipt(
        book=book,
        unit=unit.pk,
        amount=amount,
        received_on=received_on,
        doc_no=doc_no,
        project=project.pk if project is not None else None,
        channel=channel.pk if channel is not None else None,
        level=level,
        note=note,
        today=timezone.localdate(),
    )


def store_receipt(*, user, checked: CheckedReceipt, corrects: "Receipt | None" = None) -> Receipt:
    """Store a receipt the rule accepted, audited; money on a project advances it."""
    receipt = Receipt.objects.create(
        unit_id=checked.unit,
        received_on=checked.received_on,
        amount=checked.amount,
        doc_no=checked.doc_no,
        doc_key=checked.doc_key,
        project_id=checked.project,
        channel_id=checked.channel,
        level=checked.level,
        note=checked.note,
        corrects=corrects,
    )
    record("funding.receipt.created", receipt, after=snapshot(receipt), user=user)
    if receipt.project_id is not None:
        fund_project(user=user, project=receipt.project, receipt=receipt)
    receipt.doubtful = checked.doubtful
    return receipt


def lock_unit_receipts(unit_id: int) -> None:
    """One writer of a unit's receipts at a time, so two concurrent entries cannot both pass
    the duplicate check."""
    list(Unit.objects.select_for_update().filter(pk=unit_id).values_list("pk", flat=True))


@transaction.atomic
def record_receipt(
    *,
    user,
    unit: Unit,
    amount: int,
    received_on: dt.date,
    doc_no: str = "",
    project: Project | None = None,
    channel: Channel | None = None,
    level: str = "",
    note: str = "",
    repeat_ok: bool = False,
) -> tuple[Receipt, bool]:
    """Record secured money through the receipt rule (`receipt_rule.check_receipt`).

    The same unit recording the same normalised 文号 with the same amount again is a
    duplicate (design §3.1) and refused, naming the receipt already there. `repeat_ok` is for
    loaders that may run twice (the demo, like a re-imported ledger): an exact repeat
    (unit + date + amount + 文号) then returns the existing receipt unchanged. A receipt
    without 文号 repeated exactly is always returned unchanged. Another unit recording the
    same 文号 is accepted: a doubtful claim (`receipt.doubtful`), listed by
    `querysets.doubtful_claims`.
    """
    ensure_unit_access(user, unit)
    doc_no = (doc_no or "").strip()
    lock_unit_receipts(unit.pk)
    existing = Receipt.objects.filter(
        unit=unit, received_on=received_on, amount=amount, doc_no=doc_no
    ).first()
    if existing is not None and (repeat_ok or not normalise_doc_no(doc_no)):
        return existing, False
    checked = checked_receipt(
        user=user,
        unit=unit,
        amount=amount,
        received_on=received_on,
        doc_no=doc_no,
        project=project,
        channel=channel,
        level=level,
        note=note,
    )
    return store_receipt(user=user, checked=checked), True


# the stages a project passes on its way to 到位 when money arrives on it
FUNDING_PATH = {
    Stage.RESERVE: [Stage.APPLIED, Stage.APPROVED, Stage.FUNDED],
    Stage.APPLIED: [Stage.APPROVED, Stage.FUNDED],
    Stage.IN_REVIEW: [Stage.APPROVED, Stage.FUNDED],
    Stage.APPROVED: [Stage.FUNDED],
    Stage.FUNDED: [],
}


def _audit(audit: AuditBatch | None, action: str, obj, *, before=None, after=None, user=None):
    """One audit event: into a bulk change's batch when there is one, else recorded now."""
    if audit is not None:
        audit.add(action, obj, before=before, after=after)
    else:
        record(action, obj, before=before, after=after, user=user)


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


@transaction.atomic
def confirm_claim(
    *, user, doc_key: str, seen: Collection[int] | None = None, note: str = ""
) -> ClaimReview:
    """The office confirms a doubtful claim: one allocation document funds every unit that
    recorded it. `seen` are the ids of the receipts the office looked at; if the claim has
    changed since (a receipt added or removed), nothing is confirmed."""
    _require_office(user)
    review = ClaimReview.objects.select_for_update().filter(doc_key=doc_key).first()
    receipts = list(Receipt.objects.filter(doc_key=doc_key).order_by("received_on", "pk"))
    units = sorted({r.unit_id for r in receipts})
    if not doc_key or len(units) < 2:
        raise ValidationError(
            _("No other unit recorded this document number (any more): nothing to confirm."),
            code="not_doubtful",
        )
    if seen is not None and set(seen) != {r.pk for r in receipts}:
        raise StaleObjectError(
            _(
                "The receipts of this document number changed while you were reading them. "
                "Reload the page, check them again, then confirm."
            ),
            code="stale",
        )
    note = note.strip()[:300]
    if review is None:
        review = ClaimReview(doc_key=doc_key, version=0)
        before = None
    else:
        before = {**snapshot(review), "units": sorted(review.units.values_list("pk", flat=True))}
    review.doc_no = receipts[0].doc_no[:100]
    review.note = note
    review.decided_at = timezone.now()
    review.decided_by = user
    review.version += 1
    review.save()
    review.units.set(units)
    record(
        "funding.claim.confirmed",
        review,
        before=before,
        after={**snapshot(review), "units": units},
        user=user,
    )
    return review


PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2000, 2100


def _check_project(unit: Unit, values: dict) -> None:
    """The rules of a project's fields, whoever writes them (form, ledger, demo)."""
    stage, level = values.get("stage"), values.get("level")
    if stage is not None and stage not in Stage.values:
        raise ValidationError(_("Unknown stage “%(stage)s”.") % {"stage": stage})
    if level and level not in Level.values:
        raise ValidationError(_("Unknown level “%(level)s”.") % {"level": level})
    for key in ("requested", "approved_amount", "total_investment"):
        if values.get(key) is not None and values[key] < 0:
            raise ValidationError(_("An amount cannot be negative."), code=key)
    year = values.get("plan_year")
    if year is not None and not PLAN_YEAR_MIN <= year <= PLAN_YEAR_MAX:
        raise ValidationError(
            _("The plan year must be between %(first)s and %(last)s.")
            % {"first": PLAN_YEAR_MIN, "last": PLAN_YEAR_MAX},
            code="plan_year",
        )
    section = values.get("section")
    if section is not None and section.unit_id != unit.pk:
        raise ValidationError(_("The section belongs to another unit."), code="section")
    person = values.get("follow_up")
    if person is not None:
        membership = getattr(person, "membership", None)
        if membership is None or membership.unit_id != unit.pk:
            raise ValidationError(
                _("The follow-up person must be a member of %(unit)s.") % {"unit": unit.name},
                code="follow_up",
            )


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
    _check_project(unit, values)
    project = Project.objects.select_for_update().filter(code=code).first()
    if project is None:
        project = Project.objects.create(code=code, **values)
        ProjectStageChange.objects.create(
            project=project,
            from_stage="",
            to_stage=stage,
            changed_on=on or applied_on or timezone.localdate(),
            changed_by=user,
        )
        record("funding.project.created", project, after=snapshot(project), user=user)
        return project, True
    ensure_unit_access(user, project.unit)
    before = snapshot(project)
    old_stage = project.stage
    for key, value in values.items():
        setattr(project, key, value)
    if snapshot(project) == before:
        return project, False
    if old_stage != stage:
        ProjectStageChange.objects.create(
            project=project,
            from_stage=old_stage,
            to_stage=stage,
            changed_on=on or timezone.localdate(),
            changed_by=user,
        )
    project.version += 1
    project.save()
    record("funding.project.updated", project, before=before, after=snapshot(project), user=user)
    return project, True


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
    _check_project(project.unit, values)
    before = snapshot(project)
    for key, value in values.items():
        setattr(project, key, value)
    if snapshot(project) == before:
        return project, False
    project.version += 1
    project.save()
    record("funding.project.updated", project, before=before, after=snapshot(project), user=user)
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


def _check_contact_links(unit: Unit, project, result: str, result_receipt) -> None:
    if project is not None and project.unit_id != unit.pk:
        raise ValidationError(_("The project belongs to another unit."), code="project")
    if result and result not in ContactResult.values:
        raise ValidationError(_("Unknown result."), code="result")
    if result_receipt is not None:
        if result_receipt.unit_id != unit.pk:
            raise ValidationError(_("The receipt belongs to another unit."), code="receipt")
        if project is not None and result_receipt.project_id not in (None, project.pk):
            raise ValidationError(_("The receipt was recorded on another project."), code="receipt")
    if result == ContactResult.FUNDED and result_receipt is None:
        raise ValidationError(
            _("Say which receipt the contact led to, or choose another result."), code="receipt"
        )
    if result_receipt is not None and result != ContactResult.FUNDED:
        raise ValidationError(_("A receipt is the result “led to money received”."), code="result")


@transaction.atomic
def log_contact(
    *,
    user,
    unit: Unit,
    direction: str,
    occurred_on: dt.date,
    counterpart: str,
    people: str = "",
    summary: str = "",
    leader: Leader | None = None,
    project: Project | None = None,
    result: str = "",
    result_receipt: Receipt | None = None,
    directory: Counterpart | None = None,
) -> Contact:
    """A contact of `unit` with a counterpart; `directory`: the department picked from the
    counterpart directory (its name is then the counterpart, unless one is written)."""
    ensure_unit_access(user, unit)
    counterpart = (counterpart or "").strip() or (directory.name if directory else "")
    if not counterpart:
        raise ValidationError(_("Name the counterpart department."), code="counterpart")
    require_event_date(occurred_on)
    if direction not in ContactDirection.values:
        raise ValidationError(_("Unknown contact direction."))
    _check_contact_links(unit, project, result, result_receipt)
    contact = Contact.objects.create(
        unit=unit,
        direction=direction,
        occurred_on=occurred_on,
        counterpart=counterpart,
        people=people,
        summary=summary,
        leader=leader,
        project=project,
        result=result,
        result_receipt=result_receipt,
        directory=directory,
    )
    record("funding.contact.created", contact, after=snapshot(contact), user=user)
    return contact


@transaction.atomic
def link_contact(
    *,
    user,
    contact: Contact,
    project: Project | None,
    result: str = "",
    result_receipt: Receipt | None = None,
    expected_version: int | None = None,
) -> Contact:
    """Say which project a contact was for and what it led to (an approval, a receipt)."""
    contact = Contact.objects.select_for_update().select_related("unit").get(pk=contact.pk)
    ensure_unit_access(user, contact.unit)
    check_version(contact, expected_version)
    _check_contact_links(contact.unit, project, result, result_receipt)
    before = snapshot(contact)
    contact.project = project
    contact.result = result
    contact.result_receipt = result_receipt
    if snapshot(contact) == before:
        return contact
    contact.version += 1
    contact.save()
    record("funding.contact.linked", contact, before=before, after=snapshot(contact), user=user)
    return contact


@transaction.atomic
def add_lead(
    *,
    user,
    unit: Unit,
    title: str,
    noted_on: dt.date,
    source: str = "",
    aspect=None,
    estimated: int | None = None,
) -> Lead:
    ensure_unit_access(user, unit)
    lead = Lead.objects.create(
        unit=unit, title=title, noted_on=noted_on, source=source, aspect=aspect, estimated=estimated
    )
    record("funding.lead.created", lead, after=snapshot(lead), user=user)
    return lead


@transaction.atomic
def convert_lead(*, user, lead: Lead, code: str, name: str = "", **values) -> Project:
    """A lead (争取线索) becomes a reserve project of its unit; the lead keeps the link."""
    lead = Lead.objects.select_for_update().select_related("unit").get(pk=lead.pk)
    ensure_unit_access(user, lead.unit)
    if lead.status != LeadStatus.OPEN:
        raise ValidationError(
            _("This lead is no longer being followed (it is “%(status)s”).")
            % {"status": lead.get_status_display()},
            code="lead_closed",
        )
    values.setdefault("requested", lead.estimated)
    project = create_project(
        user=user, code=code, unit=lead.unit, name=(name or lead.title).strip()[:200], **values
    )
    before = snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.project = project
    lead.save(update_fields=["status", "project"])
    record("funding.lead.converted", lead, before=before, after=snapshot(lead), user=user)
    return project


# --- Guides, matching and applications -------------------------------------------------


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


# --- Materials: the checklist per channel and the files attached -----------------------


@transaction.atomic
def save_material_requirement(
    *, user, channel: Channel | None, name: str, sort_order: int = 0
) -> tuple[MaterialRequirement, bool]:
    """The office adds an item to a channel's checklist (no channel: every project's)."""
    _require_office(user)
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError(_("Name the material."), code="name")
    requirement = MaterialRequirement.objects.filter(channel=channel, name=name).first()
    if requirement is not None:
        return requirement, False
    requirement = MaterialRequirement.objects.create(
        channel=channel, name=name, sort_order=sort_order
    )
    record(
        "funding.material_requirement.created",
        requirement,
        after=snapshot(requirement),
        user=user,
    )
    return requirement, True


@transaction.atomic
def remove_material_requirement(*, user, requirement: MaterialRequirement) -> None:
    """The office takes an item off a checklist; files already attached stay (unlinked)."""
    _require_office(user)
    before = snapshot(requirement)
    record("funding.material_requirement.deleted", requirement, before=before, user=user)
    requirement.delete()


@transaction.atomic
def attach_material(
    *,
    user,
    project: Project,
    name: str,
    content,
    requirement: MaterialRequirement | None = None,
) -> ProjectMaterial:
    """Attach a file to a project. The name, size and type are checked
    (`common.files.check_upload`); the file is stored 0600 under LUOSHI_DATA_DIR/materials."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_unit_access(user, project.unit)
    if requirement is not None and requirement.channel_id not in (None, project.channel_id):
        raise ValidationError(
            _("This checklist item belongs to another channel."), code="requirement"
        )
    checked = check_upload(name, content)
    stored = ProjectMaterial.FOLDER.store(content, max_bytes=max_upload_bytes())
    try:
        material = ProjectMaterial.objects.create(
            project=project,
            requirement=requirement,
            name=checked.name,
            storage_name=stored.name,
            size=stored.size,
            content_type=checked.content_type,
            sha256=stored.sha256,
            uploaded_at=timezone.now(),
            uploaded_by=user,
        )
        record("funding.material.attached", material, after=snapshot(material), user=user)
    except BaseException:
        ProjectMaterial.FOLDER.discard(stored.name)
        raise
    return material


@transaction.atomic
def remove_material(*, user, material: ProjectMaterial) -> None:
    material = ProjectMaterial.objects.select_related("project").get(pk=material.pk)
    ensure_unit_access(user, material.project.unit_id)
    record("funding.material.removed", material, before=snapshot(material), user=user)
    storage_name = material.storage_name
    material.delete()
    transaction.on_commit(lambda: ProjectMaterial.FOLDER.discard(storage_name))


def record_material_download(*, user, material: ProjectMaterial) -> None:
    """Who took which file out of the system: a read, audited like an export."""
    record(
        "funding.material.downloaded",
        material,
        after={"project": material.project_id, "name": material.name, "size": material.size},
        user=user,
    )


# --- Bulk forms (the ledger import): the rules above, for rows already checked -------------


def bulk_save_channels(*, user, audit: AuditBatch, levels: dict[str, str]) -> dict[str, Channel]:
    """Create the channels named (name → level), each with the next free code QDnnn."""
    _require_office(user)
    used = set(Channel.objects.values_list("code", flat=True))
    created = {}
    number = len(used)
    for name, level in levels.items():
        number += 1
        while f"QD{number:03d}" in used:
            number += 1
        channel = Channel.objects.create(code=f"QD{number:03d}", name=name, level=level)
        created[name] = channel
        audit.add("funding.channel.created", channel, after=snapshot(channel))
    return created


def bulk_set_targets(
    *,
    user,
    audit: AuditBatch,
    creates: list[tuple[int, int, int]],
    revisions: list[tuple[int, int, int, dt.date, str]],
) -> None:
    """New targets `(unit id, year, amount)`, then revisions `(unit id, year, amount,
    effective on, reason)` in order, as `set_target` writes them: a revision keeps the amount
    in force before it on its effective date (none when the amount is already in force), and
    a target's amount ends as the amount in force on 31 December."""
    _require_office(user)
    if any(amount < 0 for *_key, amount in creates) or any(r[2] < 0 for r in revisions):
        raise ValidationError(_("A target must not be negative."))
    new_targets = [Target(unit_id=unit, year=year, amount=amount) for unit, year, amount in creates]
    Target.objects.bulk_create(new_targets, batch_size=1000)
    touched = {(unit, year) for unit, year, _amount in creates}
    touched |= {(unit, year) for unit, year, *_rest in revisions}
    targets = {}
    for target in Target.objects.filter(
        year__in={year for _unit, year in touched},
        unit_id__in={unit for unit, _year in touched},
    ).select_related("unit"):
        if (target.unit_id, target.year) in touched:
            targets[(target.unit_id, target.year)] = target
    for unit, year, _amount in creates:
        target = targets[(unit, year)]
        audit.add("funding.target.created", target, after=snapshot(target))
    history: dict[int, list] = {t.pk: [] for t in targets.values()}
    for target_id, *revision in (
        TargetRevision.objects.filter(target_id__in=list(history))
        .order_by("pk")
        .values_list("target_id", "pk", "effective_on", "old_amount", "new_amount")
    ):
        history[target_id].append(revision)
    revised = {}
    for unit, year, amount, effective_on, reason in revisions:
        target = targets[(unit, year)]
        past = history[target.pk]
        original = past[0][2] if past else target.amount
        known = [(on, pk, new) for pk, on, _old, new in past]
        in_force = amount_in_force(original, known, effective_on)
        if in_force == amount:
            continue
        before = snapshot(target)
        revision = TargetRevision.objects.create(
            target=target,
            old_amount=in_force,
            new_amount=amount,
            effective_on=effective_on,
            reason=reason,
            changed_at=audit.at,
            changed_by=user,
        )
        past.append((revision.pk, effective_on, in_force, amount))
        known.append((effective_on, revision.pk, amount))
        target.amount = amount_in_force(original, known, dt.date(year, 12, 31))
        target.version += 1
        revised[target.pk] = target
        audit.add(
            "funding.target.revised",
            target,
            before=before,
            after={
                **snapshot(target),
                "old_amount": in_force,
                "new_amount": amount,
                "effective_on": effective_on,
                "reason": reason,
            },
        )
    Target.objects.bulk_update(list(revised.values()), ["amount", "version"], batch_size=1000)


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
        if "stage" in values and values["stage"] not in Stage.values:
            raise ValidationError(_("Unknown stage “%(stage)s”.") % {"stage": values["stage"]})
        if values.get("level") and values["level"] not in Level.values:
            raise ValidationError(_("Unknown level “%(level)s”.") % {"level": values["level"]})
    Project.objects.bulk_create([Project(**values) for values in creates], batch_size=1000)
    created = list(Project.objects.filter(code__in=[values["code"] for values in creates]))
    ProjectStageChange.objects.bulk_create(
        [
            ProjectStageChange(
                project=project,
                from_stage="",
                to_stage=project.stage,
                changed_on=project.applied_on or on,
                changed_by=user,
            )
            for project in created
        ],
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
        before = snapshot(project)
        old_stage = project.stage
        for key, value in wanted.items():
            setattr(project, key, value)
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
        audit.add(
            "funding.project.updated",
            project,
            before=before,
            after=snapshot(project),
            object_repr=f"{project.code} {project.name}",
        )


RECEIPT_COLUMNS = [
    "unit_id",
    "project_id",
    "amount",
    "received_on",
    "doc_no",
    "channel_id",
    "level",
    "note",
    "version",
    "doc_key",
]


def bulk_record_receipts(
    *,
    user,
    audit: AuditBatch,
    creates: list[tuple],
    updates: list[tuple[int, dict]],
    unit_names: dict[int, str],
    stages_given: frozenset[int] = frozenset(),
) -> None:
    """Record receipts `(unit id, project id, amount, received on, 文号, channel id, level)`
    through the receipt rule (`receipt_rule.check_receipt`, its book read once for the
    batch: no query per row), which refuses a bad or duplicate one (a later one of the batch
    repeating an earlier one too) and completes channel, level and the 文号 key, as
    `record_receipt` does; they are written through raw batched INSERTs (a county ledger
    holds ~100,000). Others change (`(receipt id, {"project_id"?, "channel_id"?,
    "level"?})`), the project part of the rule applied to them. One audit event per
    receipt; `unit_names` (id → name) names them. A project that receives money advances to
    到位 (`fund_project`, its events in the same batch), but for those in `stages_given`,
    whose stage the caller sets itself (a ledger's 项目 sheet: importing the same file
    again must change nothing)."""
    _require_office(user)
    today = timezone.localdate()
    # only the 文号 keys the batch names: the rule compares a receipt with those alone, so the
    # check costs what the batch holds, not what the database does (issue 21)
    book = (
        receipt_book(
            unit_ids={row[0] for row in creates},
            doc_keys={normalise_doc_no(row[4]) for row in creates},
        )
        if creates
        else None
    )
    rows = []
    for unit, project, amount, on, doc, channel, level in creates:
        checked = check_receipt(
            book=book,
            unit=unit,
            amount=amount,
            received_on=on,
            doc_no=doc,
            project=project,
            channel=channel,
            level=level,
            today=today,
        )
        book.add(checked)
        rows.append(
            (
                unit,
                checked.project,
                amount,
                checked.received_on,
                checked.doc_no,
                checked.channel,
                checked.level,
                "",
                1,
                checked.doc_key,
            )
        )
    last_id = Receipt.objects.aggregate(last=Max("pk"))["last"] or 0
    with (
        rollup_triggers.bulk_insert(connection, last_id),  # the rollups, added up once
        indexes_built_after(Receipt, len(rows)),
    ):
        insert_rows(Receipt, RECEIPT_COLUMNS, rows)
    names = ["id", *RECEIPT_COLUMNS]
    iso: dict[dt.date, str] = {}  # a year of days among 100,000 receipts
    funded: dict[int, tuple[dt.date, int]] = {}  # project id → its first new receipt
    for pk, row in zip(
        new_ids(Receipt, last_id, RECEIPT_COLUMNS, rows, (0, 3, 2, 4)), rows, strict=True
    ):
        if row[1] is not None:
            funded[row[1]] = min(funded.get(row[1], (row[3], pk)), (row[3], pk))
        receipt = dict(zip(names, (pk, *row), strict=True))
        on = iso.get(row[3]) or iso.setdefault(row[3], row[3].isoformat())
        receipt["received_on"] = on
        audit.add_row(
            "funding.receipt.created",
            "funding.receipt",
            str(pk),
            f"{on} {unit_names[row[0]]} {format_amount(row[2])}",
            None,
            receipt,
        )
    del rows
    changed = []
    receipts = Receipt.objects.in_bulk([pk for pk, _wanted in updates])
    if updates:
        book = receipt_book(
            project_ids={
                wanted.get("project_id", receipts[pk].project_id) for pk, wanted in updates
            }
            - {None}
        )
    for pk, wanted in updates:
        receipt = receipts[pk]
        before = snapshot(receipt)
        for key, value in wanted.items():
            setattr(receipt, key, value)
        receipt.channel_id, receipt.level = complete_links(
            book=book,
            unit=receipt.unit_id,
            project=receipt.project_id,
            channel=receipt.channel_id,
            level=receipt.level,
        )
        receipt.version += 1
        changed.append(receipt)
        audit.add("funding.receipt.updated", receipt, before=before, after=snapshot(receipt))
        if wanted.get("project_id"):
            first = (receipt.received_on, receipt.pk)
            funded[receipt.project_id] = min(funded.get(receipt.project_id, first), first)
    Receipt.objects.bulk_update(
        changed, ["project", "channel", "level", "version"], batch_size=1000
    )
    # money on a project advances it to 到位, as `record_receipt` does
    projects = Project.objects.select_for_update().in_bulk(list(funded))
    first_receipts = Receipt.objects.in_bulk([pk for _on, pk in funded.values()])
    for project_id, (_on, receipt_id) in sorted(funded.items()):
        project = projects[project_id]
        if project_id in stages_given:
            continue
        if project.stage != Stage.FUNDED or project.channel_id is None:
            fund_project(
                user=user, project=project, receipt=first_receipts[receipt_id], audit=audit
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
