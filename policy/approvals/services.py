"""A unit's requests the office decides (design §10): extension requests (延期申请) of a work
item or a time node, and closing a work item (办结销号).

A unit never moves its own due dates nor closes its own item: it asks, the office approves
(the date moves through `_move_due_date`, the old one kept) or confirms (the item is done on
the date the unit gave), or refuses / returns with a comment. Until then the item keeps its
date and its state. Every write: row lock, version check, the rule, the audit record, in one
transaction.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from common.services import require

from ..models import CloseRequest, ExtensionRequest, Milestone, RequestStatus, WorkItem
from ..services import can_change_item, can_change_milestone
from ..services.completion import (
    _attach,
    _check_done_on,
    _check_reason,
    _checked,
    _move_due_date,
    lock_undone,
    mark_done,
)


def _require_unit_of(user, allowed: bool) -> None:
    """Only the people of the responsible unit ask (the office acts directly instead)."""
    require(user is not None and role_of(user) in UNIT_ROLES and allowed)


def _require_office(user) -> None:
    require(user is not None and role_of(user) == Role.OFFICE)


def _comment(comment: str, message: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(message)
    return comment


def _locked_request(model, request, expected_version):
    """The request locked for the office's decision, still pending and at the version read."""
    request = model.objects.select_for_update().get(pk=request.pk)
    check_version(request, expected_version)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return request


def _decide(request, user, status: str, comment: str) -> dict:
    before = snapshot(request)
    request.decide(user=user, state=status, comment=comment)
    request.save()
    return before


# --- Extension requests (延期申请) ----------------------------------------------------------


@transaction.atomic
def request_extension(
    *,
    user,
    due_on: dt.date,
    reason: str,
    work_item: WorkItem | None = None,
    milestone: Milestone | None = None,
    upload=None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """The responsible unit asks the office to move a work item's or a time node's due date
    to `due_on`, with a reason and an optional evidence file. `expected_version`: the item's
    (or node's) version the unit read."""
    if (work_item is None) == (milestone is None):
        raise ValueError("request_extension needs a work item or a milestone")
    if work_item is not None:
        _require_unit_of(user, can_change_item(user, work_item))
        target = WorkItem.objects.select_for_update().get(pk=work_item.pk)
    else:
        _require_unit_of(user, can_change_milestone(user, milestone))
        target = Milestone.objects.select_for_update().get(pk=milestone.pk)
    unit_id = unit_id_of(user)
    reason = _check_reason(reason)
    checked = _checked(upload)
    check_version(target, expected_version)
    if target.done_on is not None:
        raise ValidationError(_("It is done: there is no due date to move."))
    if due_on == target.due_on:
        raise ValidationError(_("The new date is the same as the current one."))
    owner = {"work_item": target} if work_item is not None else {"milestone": target}
    if ExtensionRequest.objects.pending().filter(**owner).exists():
        raise ValidationError(_("An extension request is already waiting for the office."))
    try:
        with transaction.atomic():  # a request filed at the same moment: the constraint says no
            request = ExtensionRequest.objects.create(
                **owner,
                unit_id=unit_id,
                old_due_on=target.due_on,
                new_due_on=due_on,
                reason=reason,
                requested_by=user,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("An extension request is already waiting for the office.")
        ) from None
    record("policy.extension_request.created", request, after=snapshot(request), user=user)
    _attach(user, upload, checked, **owner, extension_request=request)
    return request


@transaction.atomic
def approve_extension(
    *, user, request: ExtensionRequest, comment: str = "", expected_version: int | None = None
) -> ExtensionRequest:
    """The office approves: the due date moves to the date asked for, the old one kept (a
    `DueDateChange` linked to the request, the unit's reason as its reason)."""
    _require_office(user)
    request = _locked_request(ExtensionRequest, request, expected_version)
    if request.work_item_id is not None:
        target = WorkItem.objects.select_for_update().get(pk=request.work_item_id)
        owner, action = {"work_item": target}, "policy.work_item.rescheduled"
    else:
        target = Milestone.objects.select_for_update().get(pk=request.milestone_id)
        owner, action = {"milestone": target}, "policy.milestone.rescheduled"
    if target.done_on is not None:
        raise ValidationError(_("It is done: there is no due date to move. Refuse the request."))
    if target.due_on != request.old_due_on:
        raise ValidationError(
            _("The due date has changed since the request (now %(due)s): refuse it.")
            % {"due": target.due_on.isoformat()}
        )
    before = _decide(request, user, RequestStatus.APPROVED, (comment or "").strip())
    _move_due_date(
        user, target, request.new_due_on, request.reason, action, **owner, extension_request=request
    )
    record(
        "policy.extension_request.approved",
        request,
        before=before,
        after=snapshot(request),
        user=user,
    )
    return request


@transaction.atomic
def refuse_extension(
    *, user, request: ExtensionRequest, comment: str, expected_version: int | None = None
) -> ExtensionRequest:
    """The office refuses, saying why: the due date (and an overdue state) stays."""
    return _refuse(
        ExtensionRequest,
        user=user,
        request=request,
        comment=comment,
        why=_("Say why the request is refused."),
        action="policy.extension_request.refused",
        expected_version=expected_version,
    )


def _refuse(model, *, user, request, comment: str, why: str, action: str, expected_version):
    """The office refuses a unit's request, saying why (`why`: what it is told without a
    comment); what was asked stays as it is."""
    _require_office(user)
    comment = _comment(comment, why)
    request = _locked_request(model, request, expected_version)
    before = _decide(request, user, RequestStatus.REFUSED, comment)
    record(action, request, before=before, after=snapshot(request), user=user)
    return request


# --- Closing a work item (办结销号) ---------------------------------------------------------


@transaction.atomic
def request_closing(
    *,
    user,
    item: WorkItem,
    done_on: dt.date,
    note: str = "",
    upload=None,
    expected_version: int | None = None,
) -> CloseRequest:
    """The lead unit says the item is done (date, what was done, evidence): the item shows
    待销号 and keeps its state until the office confirms. `expected_version`: the item's."""
    _require_unit_of(user, can_change_item(user, item))
    _check_done_on(done_on)
    checked = _checked(upload)
    item = lock_undone(item, expected_version, _("This work item is already done."))
    if CloseRequest.objects.pending().filter(work_item=item).exists():
        raise ValidationError(_("The item is already waiting for the office to close it."))
    request = CloseRequest.objects.create(
        work_item=item,
        unit_id=unit_id_of(user),
        done_on=done_on,
        note=(note or "").strip(),
        requested_by=user,
        requested_at=timezone.now(),
    )
    record("policy.close_request.created", request, after=snapshot(request), user=user)
    _attach(user, upload, checked, work_item=item, close_request=request)
    return request


@transaction.atomic
def confirm_closing(
    *, user, request: CloseRequest, comment: str = "", expected_version: int | None = None
) -> CloseRequest:
    """The office confirms (销号): the item is done on the date the unit gave, with its note;
    from now on it counts as done in states, reminders, the bulletin and the assessment."""
    _require_office(user)
    request = _locked_request(CloseRequest, request, expected_version)
    item = WorkItem.objects.select_for_update().get(pk=request.work_item_id)
    if item.done_on is not None:
        raise ValidationError(_("This work item is already done."))
    before = _decide(request, user, RequestStatus.APPROVED, (comment or "").strip())
    # the item's event; the request's own event (below) names the item
    mark_done(user, item, request.done_on, request.note, "policy.work_item.done")
    record(
        "policy.close_request.confirmed", request, before=before, after=snapshot(request), user=user
    )
    return request


@transaction.atomic
def return_closing(
    *, user, request: CloseRequest, comment: str, expected_version: int | None = None
) -> CloseRequest:
    """The office returns the unit's "done" with a comment: the item stays open."""
    return _refuse(
        CloseRequest,
        user=user,
        request=request,
        comment=comment,
        why=_("Say why the closing is returned."),
        action="policy.close_request.returned",
        expected_version=expected_version,
    )
