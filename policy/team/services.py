"""Writes of an item's team (一套班子): a unit names its person responsible and contact."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import changes, record, snapshot
from audit.versions import check_version
from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from common.services import require
from org.models import Unit

from ..models import ItemTeam, WorkItem


def can_set_team(user, item: WorkItem, unit: Unit) -> bool:
    """The office for every unit of the item; a unit's head or officer for its own."""
    role = role_of(user)
    if role == Role.OFFICE:
        return True
    return role in UNIT_ROLES and unit_id_of(user) == unit.pk


@transaction.atomic
def save_item_team(
    *,
    user,
    item: WorkItem,
    unit: Unit,
    responsible=None,
    contact=None,
    expected_version: int | None = None,
) -> ItemTeam:
    """Name the unit's person responsible and contact person for `item` (members of the
    unit, active); audited before → after, a stale edit refused."""
    if user is not None:
        require(can_set_team(user, item, unit))
    if not item.assignments.filter(unit=unit).exists():
        raise ValidationError(_("This unit is not responsible for the work item."))
    for person in (responsible, contact):
        if person is not None and (unit_id_of(person) != unit.pk or not person.is_active):
            raise ValidationError(
                _("%(name)s is not an active member of %(unit)s.")
                % {"name": person.get_full_name() or person.username, "unit": unit.name}
            )
    team = ItemTeam.objects.select_for_update().filter(work_item=item, unit=unit).first()
    if team is None:
        team = ItemTeam.objects.create(
            work_item=item, unit=unit, responsible=responsible, contact=contact
        )
        record("policy.item_team.created", team, after=snapshot(team), user=user)
        return team
    check_version(team, expected_version)
    before = snapshot(team)
    team.responsible, team.contact = responsible, contact
    old, new = changes(before, snapshot(team))
    if new:
        team.version += 1
        team.save()
        record("policy.item_team.updated", team, before=old, after=new, user=user)
    return team
