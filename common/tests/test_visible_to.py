"""`visible_to` per role for the main model families, on the demo data.

The office sees everything, the leader only the units they oversee, unit roles only their
own unit, and the three administrators (三员分立) no business data at all.
"""

import pytest

from funding.models import Guide, Project, Receipt, Target
from org.models import Unit
from policy.models import WorkItem

pytestmark = pytest.mark.django_db

ADMINS = ["sysadmin", "secadmin", "auditor"]
UNIT_FAMILIES = [(Target, "unit"), (Receipt, "unit"), (Project, "unit")]


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
