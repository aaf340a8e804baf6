"""Writes to the organisation: units, sections, leaders, people, the holiday calendar."""

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import check_version
from common.dates import DAY, MONTH
from common.permissions import CHANGE, Role, role_of
from common.services import require

from .models import (
    DUE_SOON_WORKDAYS_MAX,
    DUE_SOON_WORKDAYS_MIN,
    YEAR_MAX,
    YEAR_MIN,
    CalendarDay,
    CalendarYear,
    Leader,
    Membership,
    Section,
    SiteConfig,
    Unit,
    UnitKind,
)
from .tree import LOOP_MESSAGE, find_loops

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
    expected_version: int | None = None,
) -> tuple[Unit, bool]:
    """Create or update a unit by code; returns (unit, changed)."""
    _require_org_admin(user)
    unit = Unit.objects.select_for_update().filter(code=code).first()
    values = {"name": name, "kind": kind, "parent": parent, "sort_order": sort_order}
    if unit is not None:
        check_version(unit, expected_version)
        if parent is not None and unit_loops({unit.pk: parent.pk}):
            raise ValidationError(LOOP_MESSAGE)
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


def unit_loops(proposed: dict[int, int | None]) -> set[int]:
    """The ids of `proposed` (unit id → new parent id) that would close a loop in the
    stored tree (see `org.tree.find_loops`)."""
    return find_loops(dict(Unit.objects.values_list("pk", "parent_id")), proposed)


@transaction.atomic
def save_section(*, user, unit: Unit, name: str) -> Section:
    _require_org_admin(user)
    section, created = Section.objects.get_or_create(unit=unit, name=name)
    if created:
        record("org.section.created", section, after=snapshot(section), user=user)
    return section


@transaction.atomic
def save_leader(
    *,
    user,
    name: str,
    title: str = "",
    oversees: list[Unit] | None = None,
    sort_order: int = 0,
    expected_version: int | None = None,
) -> tuple[Leader, bool]:
    """Create or change a leader by name; an edit based on an outdated read is refused."""
    _require_org_admin(user)
    leader = Leader.objects.select_for_update().filter(name=name).first()
    changed = False
    if leader is None:
        leader = Leader.objects.create(name=name, title=title, sort_order=sort_order)
        record("org.leader.created", leader, after=snapshot(leader), user=user)
        changed = created = True
    else:
        created = False
        check_version(leader, expected_version)
    if not created and (leader.title != title or leader.sort_order != sort_order):
        before = snapshot(leader)
        leader.title, leader.sort_order = title, sort_order
        leader.version += 1
        leader.save()
        record("org.leader.updated", leader, before=before, after=snapshot(leader), user=user)
        changed = True
    if oversees is not None:
        old = set(leader.oversees.values_list("pk", flat=True))
        new = {u.pk for u in oversees}
        if old != new:
            leader.oversees.set(oversees)
            if not changed:  # one edit, one version
                leader.version += 1
                leader.save(update_fields=["version"])
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


# --- The holiday calendar (office only: it decides every time-progress figure) ---


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


@transaction.atomic
def set_calendar_day(
    *, user, date: dt.date, is_workday: bool, name: str = ""
) -> CalendarDay | None:
    """Enter a holiday on a weekday or a make-up working day; a day set back to the Mon–Fri
    default with no name is removed. Returns the stored day, or None when removed."""
    _require_office(user)
    name = name.strip()
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = snapshot(day) if day else None
    if is_workday == (date.weekday() < 5) and not name:
        if day is not None:
            record("org.calendar_day.removed", day, before=before, user=user)
            day.delete()
        return None
    if day is None:
        day = CalendarDay.objects.create(date=date, is_workday=is_workday, name=name)
        record("org.calendar_day.created", day, after=snapshot(day), user=user)
    elif (day.is_workday, day.name) != (is_workday, name):
        day.is_workday, day.name = is_workday, name
        day.save()
        record("org.calendar_day.updated", day, before=before, after=snapshot(day), user=user)
    return day


@transaction.atomic
def remove_calendar_day(*, user, date: dt.date) -> None:
    _require_office(user)
    day = CalendarDay.objects.filter(date=date).first()
    if day is not None:
        record("org.calendar_day.removed", day, before=snapshot(day), user=user)
        day.delete()


@transaction.atomic
def mark_calendar_year(*, user, year: int, source: str) -> CalendarYear:
    """Record that `year`'s State Council holiday notice has been entered in full."""
    _require_office(user)
    entry, created = CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
    if not created and entry.source != source:
        before = snapshot(entry)
        entry.source = source
        entry.save()
        record("org.calendar_year.updated", entry, before=before, after=snapshot(entry), user=user)
    elif created:
        record("org.calendar_year.created", entry, after=snapshot(entry), user=user)
    return entry


@transaction.atomic
def seed_calendar_year(*, user, year: int) -> int:
    """Fill `year` from chinesecalendar (it knows the notices up to its release); the count of
    days entered. Days the office already entered are kept as they are."""
    from .calendar import chinesecalendar_differences

    _require_office(user)
    try:
        differences = chinesecalendar_differences(year)
    except NotImplementedError:
        raise ValidationError(
            _(
                "The bundled holiday data does not know %(year)s yet. Enter the days from the "
                "State Council notice one by one, then mark the year as entered."
            )
            % {"year": year}
        ) from None
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    count = 0
    for date, is_workday, name in differences:
        if date not in existing:
            set_calendar_day(user=user, date=date, is_workday=is_workday, name=name)
            count += 1
    mark_calendar_year(user=user, year=year, source="chinesecalendar")
    return count


# --- The office's settings: they decide every figure, so every change is audited ---

KEEP = object()  # a keyword left out of `save_site_config` keeps its stored value


def site_config() -> SiteConfig:
    """The office's settings; an unsaved row with the defaults before the first save."""
    return SiteConfig.objects.order_by("pk").first() or SiteConfig(pk=1)


def _site_config_errors(config: SiteConfig) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(config.name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    year, as_of = config.default_year, config.default_as_of
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        errors["default_year"] = [
            _("Choose a year from %(first)s to %(last)s.") % {"first": YEAR_MIN, "last": YEAR_MAX}
        ]
    elif as_of is not None and year is None:
        errors["default_as_of"] = [_("Choose the default year as well.")]
    elif as_of is not None and as_of.year != year:
        errors["default_as_of"] = [
            _("The as-of date must lie in the default year %(year)s.") % {"year": year}
        ]
    if config.time_progress_mode not in (DAY, MONTH):
        errors["time_progress_mode"] = [_("Choose by day or by month.")]
    workdays = config.due_soon_workdays
    if not (
        isinstance(workdays, int) and DUE_SOON_WORKDAYS_MIN <= workdays <= DUE_SOON_WORKDAYS_MAX
    ):
        errors["due_soon_workdays"] = [
            _("Choose from %(min)s to %(max)s working days.")
            % {"min": DUE_SOON_WORKDAYS_MIN, "max": DUE_SOON_WORKDAYS_MAX}
        ]
    return errors


@transaction.atomic
def save_site_config(
    *,
    user,
    name=KEEP,
    default_year=KEEP,
    default_as_of=KEEP,
    time_progress_mode=KEEP,
    due_soon_workdays=KEEP,
    expected_version: int | None = None,
) -> tuple[SiteConfig, bool]:
    """Change the office's settings (the reporting period, time-progress mode, due-soon
    window); keywords left out keep their value. Returns (config, changed).

    Refuses an edit based on an outdated read, and a default as-of date outside the default
    year. The change is audited before → after in the same transaction.
    """
    _require_office(user)
    config = SiteConfig.objects.select_for_update().order_by("pk").first()
    created = config is None
    if created:
        config = SiteConfig(pk=1)
    else:
        check_version(config, expected_version)
    before = snapshot(config)
    values = {
        "name": name.strip() if isinstance(name, str) else name,
        "default_year": default_year,
        "default_as_of": default_as_of,
        "time_progress_mode": time_progress_mode,
        "due_soon_workdays": due_soon_workdays,
    }
    for key, value in values.items():
        if value is not KEEP:
            setattr(config, key, value)
    errors = _site_config_errors(config)
    if errors:
        raise ValidationError(errors)
    after = snapshot(config)
    if not created and after == before:
        return config, False
    if created:
        config.save(force_insert=True)
        record("org.site_config.created", config, after=snapshot(config), user=user)
        return config, True
    config.version += 1
    config.save()
    record("org.site_config.updated", config, before=before, after=snapshot(config), user=user)
    return config, True


# --- Bulk forms (the ledger import): the rules above, for rows already checked -------------


def bulk_save_leaders(
    *, user, audit: AuditBatch, creates: list[dict], updates: list[tuple[Leader, str]]
) -> dict[str, Leader]:
    """Create leaders (`{"name", "title"}`, sorted after the existing ones) and change the
    title of others, as `save_leader` does; returns the created leaders by name."""
    _require_org_admin(user)
    base = Leader.objects.aggregate(last=Max("sort_order"))["last"] or 0
    created = {}
    for offset, row in enumerate(creates, start=1):
        leader = Leader.objects.create(
            name=row["name"], title=row["title"], sort_order=base + offset
        )
        created[leader.name] = leader
        audit.add("org.leader.created", leader, after=snapshot(leader))
    for leader, title in updates:
        before = snapshot(leader)
        leader.title = title
        leader.version += 1
        leader.save(update_fields=["title", "version"])
        audit.add("org.leader.updated", leader, before=before, after=snapshot(leader))
    return created


def set_oversight(*, user, audit: AuditBatch, oversight: dict[Leader, list[int]]) -> None:
    """Which units (ids) each leader oversees, as `save_leader(oversees=…)` sets them."""
    _require_org_admin(user)
    through = Leader.oversees.through
    for leader, unit_ids in oversight.items():
        old = sorted(through.objects.filter(leader=leader).values_list("unit_id", flat=True))
        new = sorted(set(unit_ids))
        if old == new:
            continue
        leader.oversees.set(new)
        Leader.objects.filter(pk=leader.pk).update(version=F("version") + 1)
        audit.add(
            "org.leader.oversight_changed",
            leader,
            before={"oversees": old},
            after={"oversees": new},
        )


def bulk_save_units(
    *, user, audit: AuditBatch, creates: list[dict], updates: list[tuple[Unit, dict]]
) -> dict[str, Unit]:
    """Create units (`{"code", "name", "kind", "parent"}`, parent a code or "") and change
    others (`(unit, {"name", "kind"?, "parent"?})`), as `save_unit` does: the tree must not
    loop (refused with its message), versions go up, one audit event per unit. Returns the
    units written, by code."""
    _require_org_admin(user)
    codes = dict(Unit.objects.values_list("code", "pk"))
    base = Unit.objects.aggregate(last=Max("sort_order"))["last"] or 0
    batch = audit.batch
    # names may swap between units in one file: clear updated names first
    for unit, wanted in updates:
        if wanted["name"] != unit.name:
            Unit.objects.filter(pk=unit.pk).update(name=f"~{batch}~{unit.pk}")
    new_units = [
        Unit(code=row["code"], name=row["name"], kind=row["kind"], sort_order=base + i)
        for i, row in enumerate(creates, start=1)
    ]
    Unit.objects.bulk_create(new_units, batch_size=1000)
    written = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in new_units])}
    codes.update({code: u.pk for code, u in written.items()})
    proposed = {codes[row["code"]]: codes[row["parent"]] for row in creates if row["parent"]}
    for unit, wanted in updates:
        if "parent" in wanted:
            proposed[unit.pk] = codes[wanted["parent"]] if wanted["parent"] else None
    if unit_loops(proposed):
        raise ValidationError(LOOP_MESSAGE)
    for row in creates:
        unit = written[row["code"]]
        if row["parent"]:
            unit.parent_id = codes[row["parent"]]
            unit.save(update_fields=["parent"])
        audit.add("org.unit.created", unit, after=snapshot(unit))
    for unit, wanted in updates:
        before = snapshot(unit)
        before["name"] = unit.name
        unit.name = wanted["name"]
        if "kind" in wanted:
            unit.kind = wanted["kind"]
        if "parent" in wanted:
            unit.parent_id = proposed[unit.pk]
        unit.version += 1
        unit.save()
        audit.add("org.unit.updated", unit, before=before, after=snapshot(unit))
        written[unit.code] = unit
    return written


# --- People's contact details (mobile, e-mail): what reminders reach them by ---

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CONTACT_ROLES = (Role.OFFICE, Role.LEADER, Role.UNIT_HEAD, Role.UNIT_OFFICER)


def may_edit_contact(user, person) -> bool:
    """The office edits anyone's contact details; a unit head those of their own unit."""
    membership = getattr(person, "membership", None)
    if membership is None or membership.role not in CONTACT_ROLES:
        return False
    role = role_of(user)
    if role == Role.OFFICE:
        return True
    mine = getattr(user, "membership", None)
    return (
        role == Role.UNIT_HEAD
        and mine is not None
        and membership.unit_id is not None
        and membership.unit_id == mine.unit_id
    )


def normalise_mobile(value: str) -> str:
    """A mainland mobile number, typed with spaces, dashes, full-width digits or +86."""
    text = (value or "").translate(str.maketrans("０１２３４５６７８９＋", "0123456789+"))
    text = re.sub(r"[\s\-()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    if text and not MOBILE_RE.match(text):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 1, e.g. 138 0000 0000."),
            code="mobile",
        )
    return text


@transaction.atomic
def set_contact(
    *, user, person, mobile: str, email: str, expected_version: int | None = None
) -> bool:
    """Set a person's mobile and e-mail (office; unit heads for their unit). Returns whether
    anything changed. Audited before → after; a stale edit is refused."""
    from django.core.validators import validate_email

    membership = Membership.objects.select_for_update().filter(user=person).first()
    if user is not None:
        require(membership is not None and may_edit_contact(user, person))
    if membership is None:
        raise ValidationError(_("This person has no role in Luoshi."))
    check_version(membership, expected_version)
    mobile = normalise_mobile(mobile)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                _("“%(email)s” is not an e-mail address.") % {"email": email[:80]},
                code="email",
            ) from None
    person = User.objects.select_for_update().get(pk=person.pk)
    before = {"mobile": membership.phone, "email": person.email}
    after = {"mobile": mobile, "email": email}
    if before == after:
        return False
    membership.phone = mobile
    membership.version += 1
    membership.save(update_fields=["phone", "version"])
    person.email = email
    person.save(update_fields=["email"])
    record(
        "org.person.contact_changed",
        person,
        before=before,
        after={**after, "version": membership.version},
        user=user,
    )
    return True
