"""Writes of the counterpart directory: the office keeps departments and their people; the
ledger's 对口联系 sheet writes the same rows in bulk (one audit batch)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import changes, record, snapshot
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from org.models import Unit

from ..choices import Level
from ..models import Counterpart, CounterpartPerson


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


def _state(counterpart: Counterpart) -> dict:
    return {
        **snapshot(counterpart),
        "units": sorted(counterpart.units.values_list("code", flat=True)),
    }


def check_counterpart(name: str, level: str) -> str:
    """The rule of a department row (single, bulk and import paths): a name, a known level."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A counterpart department needs a name."))
    if len(name) > 200:
        raise ValidationError(_("A department's name has at most 200 characters."))
    if level and level not in Level.values:
        raise ValidationError(_("Unknown level."))
    return name


@transaction.atomic
def save_counterpart(
    *,
    user,
    counterpart: Counterpart | None,
    name: str,
    level: str = "",
    units: list[Unit] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Counterpart:
    """Create (counterpart None) or change a department of the directory; audited."""
    _require_office(user)
    name = check_counterpart(name, level)
    clash = Counterpart.objects.filter(name=name)
    if counterpart is not None:
        clash = clash.exclude(pk=counterpart.pk)
    if clash.exists():
        raise ValidationError(_("The directory already has %(name)s.") % {"name": name})
    if counterpart is None:
        counterpart = Counterpart.objects.create(name=name, level=level, note=note)
        counterpart.units.set(units)
        record("funding.counterpart.created", counterpart, after=_state(counterpart), user=user)
        return counterpart
    counterpart = Counterpart.objects.select_for_update().get(pk=counterpart.pk)
    check_version(counterpart, expected_version)
    before = _state(counterpart)
    counterpart.name, counterpart.level, counterpart.note = name, level, note
    counterpart.units.set(units)
    old, new = changes(before, _state(counterpart))
    if new:
        counterpart.version += 1
        counterpart.save()
        record("funding.counterpart.updated", counterpart, before=old, after=new, user=user)
    return counterpart


def check_person(name: str, post: str, phone: str) -> tuple[str, str, str]:
    name, post, phone = (name or "").strip(), (post or "").strip(), (phone or "").strip()
    if not name or len(name) > 50:
        raise ValidationError(_("A contact person needs a name of at most 50 characters."))
    if len(post) > 100 or len(phone) > 30:
        raise ValidationError(_("A post has at most 100 characters, a phone 30."))
    return name, post, phone


@transaction.atomic
def save_counterpart_person(
    *, user, counterpart: Counterpart, name: str, post: str = "", phone: str = ""
) -> CounterpartPerson:
    """Add a person to a department, or change the post and phone of one it has (by name)."""
    _require_office(user)
    name, post, phone = check_person(name, post, phone)
    person = (
        CounterpartPerson.objects.select_for_update()
        .filter(counterpart=counterpart, name=name)
        .first()
    )
    if person is None:
        person = CounterpartPerson.objects.create(
            counterpart=counterpart, name=name, post=post, phone=phone
        )
        record("funding.counterpart_person.created", person, after=snapshot(person), user=user)
        return person
    before = snapshot(person)
    person.post, person.phone = post, phone
    old, new = changes(before, snapshot(person))
    if new:
        person.save()
        record("funding.counterpart_person.updated", person, before=old, after=new, user=user)
    return person


@transaction.atomic
def remove_counterpart_person(*, user, person: CounterpartPerson) -> None:
    _require_office(user)
    record("funding.counterpart_person.removed", person, before=snapshot(person), user=user)
    person.delete()


def bulk_save_counterparts(*, user, audit, rows: list[dict]) -> dict[str, int]:
    """The ledger's 对口联系 sheet: {name, level, unit_ids, people [(name, post, phone)]} per
    department (the file's rows of one department merged). Upsert by name; the units dealing
    with it become the file's; people upserted by name, none removed. Returns counts."""
    _require_office(user)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {
        c.name: c
        for c in Counterpart.objects.select_for_update().filter(name__in=[r["name"] for r in rows])
    }
    for row in rows:
        name = check_counterpart(row["name"], row.get("level", ""))
        counterpart = existing.get(name)
        if counterpart is None:
            counterpart = Counterpart.objects.create(name=name, level=row.get("level", ""))
            counterpart.units.set(row.get("unit_ids", []))
            audit.add("funding.counterpart.created", counterpart, after=_state(counterpart))
            changed = True
            counts["created"] += 1
        else:
            before = _state(counterpart)
            if row.get("level"):
                counterpart.level = row["level"]
            if "unit_ids" in row:
                counterpart.units.set(row["unit_ids"])
            old, new = changes(before, _state(counterpart))
            changed = bool(new)
            if new:
                counterpart.version += 1
                counterpart.save()
                audit.add("funding.counterpart.updated", counterpart, before=old, after=new)
        people = {p.name: p for p in counterpart.people.all()}
        for person_name, post, phone in row.get("people", []):
            person_name, post, phone = check_person(person_name, post, phone)
            person = people.get(person_name)
            if person is None:
                person = CounterpartPerson.objects.create(
                    counterpart=counterpart, name=person_name, post=post, phone=phone
                )
                audit.add("funding.counterpart_person.created", person, after=snapshot(person))
                changed = True
            elif (person.post, person.phone) != (post, phone):
                before = snapshot(person)
                person.post, person.phone = post, phone
                person.save()
                audit.add(
                    "funding.counterpart_person.updated",
                    person,
                    before=before,
                    after=snapshot(person),
                )
                changed = True
        if counterpart.name in existing:
            counts["updated" if changed else "unchanged"] += 1
    return counts
