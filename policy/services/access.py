"""Who may act on a work item or a milestone: the office, or the item's lead unit."""

from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from common.services import require

from ..models import (
    AssignmentRole,
    Milestone,
    WorkItem,
)


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
