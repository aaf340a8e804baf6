"""`visible_to` per role for the main model families, on three units' records.

The office sees everything, the leader only the units they oversee, unit roles only their
own unit, and the three administrators (三员分立) no business data at all.
"""

import datetime as dt

import pytest

from funding.models import Guide, Project, Receipt, Target
from org.models import Unit
from policy.models import WorkItem

pytestmark = pytest.mark.django_db

ADMINS = ["sysadmin", "secadmin", "auditor"]
UNIT_FAMILIES = [(Target, "unit"), (Receipt, "unit"), (Project, "unit")]


@pytest.fixture
def cast(db):
    """ZJJ and CGJ (overseen by the leader) and FGW, each with a target, a receipt, a project
    and a work item it leads (FGW's shared with CGJ as co-unit), a guide for FGW only; the
    seven demo roles by their usernames, zjj and zjj_head in ZJJ (not the whole demo)."""
    from funding.choices import Level
    from funding.services import save_guide
    from funding.tests.factories import ProjectFactory
    from ledger.tests.factories import receipt, target
    from org.tests.factories import LeaderFactory, UnitFactory, cast_of
    from policy.services import save_policy, save_work_item

    units = {code: UnitFactory(code=code) for code in ("ZJJ", "CGJ", "FGW")}
    people = cast_of(unit=units["ZJJ"], oversees=[units["ZJJ"], units["CGJ"]])
    policy = save_policy(user=None, title="测试政策")
    other_leader = LeaderFactory(oversees=[units["FGW"]])
    for n, (code, unit) in enumerate(units.items(), start=1):
        target(unit, n * 10_000_000)
        receipt(unit, n * 1_000_000, dt.date(2024, 5, n))
        ProjectFactory(unit=unit)
        save_work_item(
            user=None,
            policy=policy,
            code=f"GZ-0{n}",
            title=f"{code}牵头的事项",
            lead_leader=people["leader"].leader if code != "FGW" else other_leader,
            lead_unit=unit,
            co_units=[units["CGJ"]] if code == "FGW" else [],
            due_on=dt.date(2024, 9, 30),
        )
    save_work_item(
        user=None,
        policy=policy,
        code="GZ-04",
        title="FGW独自牵头的事项",
        lead_leader=other_leader,
        lead_unit=units["FGW"],
        due_on=dt.date(2024, 9, 30),
    )
    save_guide(
        user=None,
        title="发改委的申报指南",
        issuer="省发展改革委",
        level=Level.PROVINCIAL,
        published_on=dt.date(2024, 3, 1),
        units=[units["FGW"]],
    )
    return people


def unit_ids(user) -> set[int]:
    return set(Unit.objects.visible_to(user).values_list("pk", flat=True))


def test_office_sees_everything(cast):
    office = cast["office"]
    for model in (Unit, Target, Receipt, Project, WorkItem, Guide):
        assert model.objects.visible_to(office).count() == model.objects.count() > 0, model


@pytest.mark.parametrize("model,path", UNIT_FAMILIES)
def test_leader_sees_only_overseen_units(cast, model, path):
    leader = cast["leader"]
    overseen = set(leader.leader.oversees.values_list("pk", flat=True))
    assert overseen and unit_ids(leader) == overseen
    seen = set(model.objects.visible_to(leader).values_list(f"{path}_id", flat=True))
    assert seen and seen <= overseen
    assert not model.objects.visible_to(leader, "change").exists()


@pytest.mark.parametrize("username", ["zjj", "zjj_head"])
@pytest.mark.parametrize("model,path", UNIT_FAMILIES)
def test_unit_roles_see_only_their_unit(cast, username, model, path):
    user = cast[username]
    zjj = Unit.objects.get(code="ZJJ")
    assert unit_ids(user) == {zjj.pk}
    rows = model.objects.visible_to(user)
    assert rows.exists()
    assert set(rows.values_list(f"{path}_id", flat=True)) == {zjj.pk}
    assert model.objects.exclude(**{path: zjj}).exists()  # there is other data to hide


@pytest.mark.parametrize("username", ["zjj", "zjj_head", "leader"])
def test_work_items_follow_assignments(cast, username):
    user = cast[username]
    units = unit_ids(user)
    items = WorkItem.objects.visible_to(user)
    assert items.exists()
    for item in items.prefetch_related("assignments"):
        assert {a.unit_id for a in item.assignments.all()} & units, item
    assert items.count() < WorkItem.objects.count()


@pytest.mark.parametrize("username", ["leader", "zjj", "zjj_head"])
def test_business_roles_read_guides(cast, username):
    assert Guide.objects.visible_to(cast[username]).count() == Guide.objects.count()


@pytest.mark.parametrize("username", ADMINS)
def test_admins_see_no_business_data(cast, username):
    user = cast[username]
    for model in (Target, Receipt, Project, WorkItem, Guide):
        assert not model.objects.visible_to(user).exists(), model
        assert not model.objects.visible_to(user, "change").exists(), model


def test_only_system_admin_of_admins_maintains_units(cast):
    # the system administrator maintains the organisation; the other two see no units
    assert unit_ids(cast["sysadmin"]) == set(Unit.objects.values_list("pk", flat=True))
    assert unit_ids(cast["secadmin"]) == unit_ids(cast["auditor"]) == set()


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    for model in (Unit, Target, Receipt, Project, WorkItem, Guide):
        assert not model.objects.visible_to(AnonymousUser()).exists(), model
