"""Writes to the organisation: units, sections, leaders, people."""

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.services import record, snapshot
from common.permissions import CHANGE, Role, role_of
from common.services import require

from .models import Leader, Membership, Section, Unit, UnitKind

User = get_user_model()


def ensure_unit_access(user, unit: Unit | int, action: str = CHANGE) -> None:
    """Raise PermissionDenied unless `user` (None: the system) may act on `unit`."""
    if user is None:
        return
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    require(Unit.objects.visible_to(user, action).filter(pk=unit_id).exists())


def _require_org_admin(user) -> None:
    if user is not None:
        require(role_of(user) in (Role.OFFICE, Role.SYSTEM_ADMIN))


@transaction.atomic
def save_unit(
    *,
    user,
    code: str,
    name: str,
    kind: str = UnitKind.DEPARTMENT,
    parent: Unit | None = None,
    sort_order: int = 0,
) -> tuple[Unit, bool]:
    """Create or update a unit by code; returns (unit, changed)."""
    _require_org_admin(user)
    unit = Unit.objects.filter(code=code).first()
    values = {"name": name, "kind": kind, "parent": parent, "sort_order": sort_order}
    if unit is None:
        unit = Unit.objects.create(code=code, **values)
        record("org.unit.created", unit, after=snapshot(unit), user=user)
        return unit, True
    before = snapshot(unit)
    for key, value in values.items():
        setattr(unit, key, value)
    after = snapshot(unit)
    if after == before:
        return unit, False
    unit.version += 1
    unit.save()
    record("org.unit.updated", unit, before=before, after=snapshot(unit), user=user)
    return unit, True


@transaction.atomic
def save_section(*, user, unit: Unit, name: str) -> Section:
    _require_org_admin(user)
    section, created = Section.objects.get_or_create(unit=unit, name=name)
    if created:
        record("org.section.created", section, after=snapshot(section), user=user)
    return section


@transaction.atomic
def save_leader(
    *, user, name: str, title: str = "", oversees: list[Unit] | None = None, sort_order: int = 0
) -> tuple[Leader, bool]:
    _require_org_admin(user)
    leader = Leader.objects.filter(name=name).first()
    changed = False
    if leader is None:
        leader = Leader.objects.create(name=name, title=title, sort_order=sort_order)
        record("org.leader.created", leader, after=snapshot(leader), user=user)
        changed = True
    elif leader.title != title or leader.sort_order != sort_order:
        before = snapshot(leader)
        leader.title, leader.sort_order = title, sort_order
        leader.save()
        record("org.leader.updated", leader, before=before, after=snapshot(leader), user=user)
        changed = True
    if oversees is not None:
        old = set(leader.oversees.values_list("pk", flat=True))
        new = {u.pk for u in oversees}
        if old != new:
            leader.oversees.set(oversees)
            record(
                "org.leader.oversight_changed",
                leader,
                before={"oversees": sorted(old)},
                after={"oversees": sorted(new)},
                user=user,
            )
            changed = True
    return leader, changed


@transaction.atomic
def create_person(
    *,
    user,
    username: str,
    full_name: str,
    role: str,
    password: str | None,
    unit: Unit | None = None,
    leader: Leader | None = None,
) -> User:
    """Create a login with a role; unit roles need a unit, the leader role a leader."""
    if user is not None:
        require(role_of(user) == Role.SYSTEM_ADMIN)
    person = User(username=username, first_name=full_name)
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    Membership.objects.create(user=person, role=role, unit=unit)
    if leader is not None:
        leader.user = person
        leader.save(update_fields=["user"])
    record(
        "org.person.created",
        person,
        after={
            "username": username,
            "role": role,
            "unit": unit.pk if unit else None,
            "leader": leader.pk if leader else None,
        },
        user=user,
    )
    return person
