"""Writes of meetings and their decisions (audited, through the work item services)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import changes, record, snapshot
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from common.validation import check_date
from org.models import Leader, Unit

from .. import services as policy_services
from ..models import Meeting, MeetingKind, Policy, WorkItem
from . import DECISIONS_POLICY

FIELDS = ("title", "kind", "held_on", "chair", "attendees", "summary")


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


def _check(title: str, kind: str, held_on: dt.date) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A meeting needs a title."))
    if kind not in MeetingKind.values:
        raise ValidationError(_("Choose the kind of meeting."))
    check_date(held_on)
    return title[:200]


@transaction.atomic
def save_meeting(
    *,
    user,
    meeting: Meeting | None,
    title: str,
    kind: str,
    held_on: dt.date,
    chair: Leader | None = None,
    attendees: str = "",
    summary: str = "",
    expected_version: int | None = None,
) -> Meeting:
    """Record (meeting None) or change a meeting; audited before → after."""
    _require_office(user)
    title = _check(title, kind, held_on)
    values = {
        "title": title,
        "kind": kind,
        "held_on": held_on,
        "chair": chair,
        "attendees": attendees.strip(),
        "summary": summary.strip(),
    }
    if meeting is None:
        meeting = Meeting.objects.create(**values)
        record("policy.meeting.created", meeting, after=snapshot(meeting), user=user)
        return meeting
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_version(meeting, expected_version)
    before = snapshot(meeting)
    for key, value in values.items():
        setattr(meeting, key, value)
    old, new = changes(before, snapshot(meeting))
    if new:
        meeting.version += 1
        meeting.save()
        record("policy.meeting.updated", meeting, before=old, after=new, user=user)
    return meeting


def decisions_policy(user, on: dt.date) -> Policy:
    """The policy record decisions belong to (created, audited, on first use, dated by the
    first meeting so the decomposition lists it after the documents before it)."""
    return policy_services.save_policy(
        user=user,
        title=DECISIONS_POLICY,
        short_name=DECISIONS_POLICY,
        issued_on=on,
        summary=_("Decisions of meetings, followed as work items."),
    )


@transaction.atomic
def add_decision(
    *,
    user,
    meeting: Meeting,
    title: str,
    lead_unit: Unit,
    co_units: list[Unit] = (),
    lead_leader: Leader | None = None,
    due_on: dt.date,
    goal: str = "",
) -> WorkItem:
    """A decision of `meeting`, followed as a work item (lead leader: the chair unless
    given); its code is the meeting's (HY<meeting>-NN)."""
    _require_office(user)
    lead_leader = lead_leader or meeting.chair
    if lead_leader is None:
        raise ValidationError(_("Name the leader who leads this decision."))
    if due_on < meeting.held_on:
        raise ValidationError(_("A decision cannot be due before its meeting."))
    prefix = f"HY{meeting.pk}-"
    taken = set(WorkItem.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    item = policy_services.create_work_item(
        user=user,
        policy=decisions_policy(user, meeting.held_on),
        code=f"{prefix}{n:02d}",
        title=(title or "").strip()[:300],
        goal=goal,
        lead_leader=lead_leader,
        lead_unit=lead_unit,
        co_units=[u for u in co_units if u != lead_unit],
        due_on=due_on,
    )
    item.source_meeting = meeting
    item.save(update_fields=["source_meeting"])
    record(
        "policy.meeting.decision_added",
        meeting,
        after={"work_item": item.code, "title": item.title, "due_on": item.due_on},
        user=user,
    )
    return item
