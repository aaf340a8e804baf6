"""A work item or milestone done with evidence, or rescheduled with a reason."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.files import check_upload, max_upload_bytes

from ..models import (
    CloseRequest,
    DueDateChange,
    Evidence,
    ExtensionRequest,
    Milestone,
    WorkItem,
)
from .access import require_milestone_change
from .base import _require_office


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


def mark_done(user, obj, done_on: dt.date, note: str, action: str) -> None:
    """Set a locked milestone's or work item's done date and note, and audit it: the one
    way either becomes done (the office's 销号, a milestone ticked off, a confirmed
    closing request)."""
    before = snapshot(obj)
    obj.done_on, obj.done_note = done_on, note
    obj.version += 1
    obj.save()
    record(action, obj, before=before, after=snapshot(obj), user=user)


def lock_undone(obj, expected_version: int | None, already_done: str):
    """A milestone or work item locked at the version read, refused when already done."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    check_version(obj, expected_version)
    if obj.done_on is not None:
        raise ValidationError(already_done)
    return obj


def _complete(*, user, obj, owner: str, done_on, note, upload, expected_version, already_done: str):
    """Mark a milestone or work item (`owner`: which) done on `done_on`, with what was done
    and an evidence file, once its caller checked who may."""
    _check_done_on(done_on)
    checked = _checked(upload)
    obj = lock_undone(obj, expected_version, already_done)
    if owner == "work_item" and CloseRequest.objects.pending().filter(work_item=obj).exists():
        raise ValidationError(_("The lead unit has asked to close this item: decide its request."))
    mark_done(user, obj, done_on, note, f"policy.{owner}.done")
    _attach(user, upload, checked, **{owner: obj})
    return obj


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
    return _complete(
        user=user,
        obj=milestone,
        owner="milestone",
        done_on=done_on,
        note=note,
        upload=upload,
        expected_version=expected_version,
        already_done=_("This milestone is already done."),
    )


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
    return _complete(
        user=user,
        obj=item,
        owner="work_item",
        done_on=done_on,
        note=note,
        upload=upload,
        expected_version=expected_version,
        already_done=_("This work item is already done."),
    )


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


def keep_old_due_date(user, obj, due_on: dt.date, reason: str, at=None, **owner) -> None:
    """Move `obj`'s due date (not saved), keeping the old one with the reason in a
    `DueDateChange` of `owner`: the one way a due date moves, single or from the ledger."""
    DueDateChange.objects.create(
        **owner,
        old_due_on=obj.due_on,
        new_due_on=due_on,
        reason=reason,
        changed_at=at or timezone.now(),
        changed_by=user,
    )
    obj.due_on = due_on


def _move_due_date(
    user, obj, due_on: dt.date, reason: str, action: str, audit=None, **owner
) -> None:
    """Move a locked milestone's or work item's due date, keeping the old date and the reason
    (a `DueDateChange` of `owner`), and audit it (into `audit`, a bulk change's batch, when
    there is one)."""
    if due_on == obj.due_on:
        raise ValidationError(_("The new date is the same as the current one."))
    before = snapshot(obj)
    keep_old_due_date(user, obj, due_on, reason, **owner)
    obj.version += 1
    obj.save()
    after = {**snapshot(obj), "reason": reason}
    if audit is not None:
        audit.add(action, obj, before=before, after=after)
    else:
        record(action, obj, before=before, after=after, user=user)


def record_evidence_download(*, user, evidence: Evidence) -> None:
    """Reading an evidence file is audited (who read which file when)."""
    record(
        "policy.evidence.downloaded",
        evidence,
        after={"name": evidence.name, "sha256": evidence.sha256},
        user=user,
    )
