"""Reading and acknowledging (签收) reminders."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from common.permissions import Role
from common.services import require
from org.models import Unit

from ..models import Channel, Delivery, Reminder


@transaction.atomic
def mark_read(*, user, delivery_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app notices read (all unread ones when no ids). Returns how many."""
    require(user is not None and user.is_authenticated)
    unread = Delivery.objects.unread_for(user)
    if delivery_ids is not None:
        unread = unread.filter(pk__in=delivery_ids)
    ids = list(unread.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(read_at=timezone.now())
    record(
        "reminders.delivery.read",
        None,
        after={"deliveries": ids},
        user=user,
        object_type="reminders.delivery",
        object_repr=_("%(count)d reminders read") % {"count": len(ids)},
    )
    return len(ids)


# --- 签收 (acknowledgement) --------------------------------------------------------------------


def may_acknowledge(user, reminder: Reminder) -> bool:
    """The person it went to, or anyone of the unit it went to."""
    if user is None or not user.is_authenticated:
        return False
    if reminder.recipient_user_id is not None:
        return reminder.recipient_user_id == user.pk
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD)
        and membership.unit_id == reminder.recipient_unit_id
    )


def acknowledgeable_by(user):
    """The reminders `user` may acknowledge (theirs, or their unit's)."""
    if user is None or not user.is_authenticated:
        return Reminder.objects.none()
    mine = Q(recipient_user=user)
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD):
        mine |= Q(recipient_unit_id=membership.unit_id)
    return Reminder.objects.filter(mine)


@transaction.atomic
def acknowledge(*, user, reminder: Reminder, at: dt.datetime | None = None, person=None) -> bool:
    """签收: the recipient saw the reminder (in the app or through the message's link). The
    first acknowledgement counts; later ones change nothing. Returns whether it was new.
    `person`: who acknowledged, when the system records it for them (`user=None`, e.g. the
    demo's history); otherwise the user themself."""
    if user is not None:
        require(person is None or person == user)
    person = person or user
    require(may_acknowledge(person, reminder))
    locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if locked.acknowledged_at is not None:
        return False
    locked.acknowledged_at = at or timezone.now()
    locked.acknowledged_by = person
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    reminder.acknowledged_at, reminder.acknowledged_by = locked.acknowledged_at, person
    Delivery.objects.filter(
        reminder=locked, channel=Channel.APP, user=person, read_at__isnull=True
    ).update(read_at=locked.acknowledged_at)
    record(
        "reminders.reminder.acknowledged",
        locked,
        after={"acknowledged_at": locked.acknowledged_at, "by": person.pk},
        user=user,
    )
    return True


@transaction.atomic
def acknowledge_topic(*, user, unit: Unit, prefix: str, at: dt.datetime | None = None) -> int:
    """The unit answered what it was asked (e.g. a dispatch round): its reminders about it are
    acknowledged by that answer. Returns how many were newly acknowledged (audited)."""
    pending = list(
        Reminder.objects.select_for_update()
        .filter(recipient_unit=unit, topic__startswith=prefix, acknowledged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    when = at or timezone.now()
    Reminder.objects.filter(pk__in=pending).update(acknowledged_at=when, acknowledged_by=user)
    record(
        "reminders.reminder.acknowledged",
        None,
        after={"reminders": pending, "by_answering": prefix, "at": when},
        user=user,
        object_type="reminders.reminder",
        object_repr=_("%(count)d reminders acknowledged by the answer") % {"count": len(pending)},
    )
    return len(pending)
