"""Who can be reached, and what reached no one."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Max

from common.permissions import Role
from org.models import Unit

from ..models import Delivery, DeliveryStatus, Reminder, Robot

User = get_user_model()


# --- reach: who can be reached, and what reached no one --------------------------------------


@dataclass
class UnitReach:
    """How a unit can be reached today, and its reminders that reached no one."""

    unit: Unit
    people: int = 0
    with_email: int = 0
    robots: int = 0
    undelivered: int = 0
    last_undelivered: dt.date | None = None

    @property
    def reachable(self) -> bool:
        return bool(self.people or self.robots)


def reach_of_units(unit_ids) -> dict[int, UnitReach]:
    """For each unit: its active contact people (and how many have an e-mail address) and its
    enabled robots. Three queries whatever the number of units."""
    units = Unit.objects.filter(pk__in=list(unit_ids)).order_by("sort_order", "code")
    reach = {unit.pk: UnitReach(unit=unit) for unit in units}
    people = (
        User.objects.filter(is_active=True, membership__unit_id__in=reach)
        .filter(membership__role__in=[Role.UNIT_OFFICER, Role.UNIT_HEAD])
        .values_list("membership__unit_id", "email")
    )
    for unit_id, email in people:
        reach[unit_id].people += 1
        reach[unit_id].with_email += bool(email)
    robots = (
        Robot.objects.filter(unit_id__in=reach, enabled=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in robots:
        reach[row["unit_id"]].robots = row["n"]
    return reach


def unreachable_units(user) -> list[UnitReach]:
    """The units with reminders that reached no one (in the viewer's scope), most recent
    first, with what they lack: the office's 无法送达 list."""
    rows = (
        Reminder.objects.visible_to(user)
        .filter(deliveries__isnull=True, recipient_unit__isnull=False)
        .values("recipient_unit_id")
        .annotate(n=Count("pk"), last=Max("as_of"))
    )
    counts = {row["recipient_unit_id"]: row for row in rows}
    reach = reach_of_units(counts)
    for unit_id, row in counts.items():
        reach[unit_id].undelivered = row["n"]
        reach[unit_id].last_undelivered = row["last"]
    return sorted(
        reach.values(),
        key=lambda r: (r.reachable, -(r.last_undelivered or dt.date.min).toordinal(), r.unit.code),
    )


@dataclass
class TopicReach:
    """What became of the reminders about one subject to one unit (e.g. a dispatch round)."""

    reminders: int = 0
    reached: bool = False
    acknowledged: bool = False


def topic_reach(prefix: str) -> dict[int, TopicReach]:
    """Per recipient unit, whether the reminders whose topic starts with `prefix` reached
    anyone (a delivery sent) and were acknowledged. Two queries."""
    reminders = Reminder.objects.filter(topic__startswith=prefix, recipient_unit__isnull=False)
    out: dict[int, TopicReach] = {}
    for unit_id, acknowledged in reminders.values_list("recipient_unit_id", "acknowledged_at"):
        reach = out.setdefault(unit_id, TopicReach())
        reach.reminders += 1
        reach.acknowledged = reach.acknowledged or acknowledged is not None
    reached = (
        Delivery.objects.filter(reminder__in=reminders, status=DeliveryStatus.SENT)
        .values_list("reminder__recipient_unit_id", flat=True)
        .distinct()
    )
    for unit_id in reached:
        out[unit_id].reached = True
    return out
