"""Small policy data for tests that need a work item or two, not the whole demo.

Plain rows where only a row is needed (a policy, a measure, an item and its units, a time
node); the services where a rule or the audit trail is what the test reads (a progress
report: who signed it decides whether it is the item's progress)."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from common.permissions import Role
from org.models import Leader, Unit
from org.tests.factories import LeaderFactory, PersonFactory, UnitFactory, reporting_period
from policy.models import (
    Aspect,
    Assignment,
    AssignmentRole,
    Measure,
    Milestone,
    Policy,
    ProgressReport,
    WorkItem,
)


class AspectFactory(DjangoModelFactory):
    class Meta:
        model = Aspect
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TA{n:02d}")
    name = factory.Sequence(lambda n: f"测试方面{n}")
    sort_order = factory.Sequence(lambda n: n)


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"关于测试工作的若干措施（第{n}号）")
    short_name = factory.Sequence(lambda n: f"《测试措施{n}》")


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    policy = factory.SubFactory(PolicyFactory)
    aspect = factory.SubFactory(AspectFactory)
    code = factory.Sequence(lambda n: f"{n + 1}")
    text = factory.Sequence(lambda n: f"测试措施条文{n}")


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    work_item = factory.SubFactory("policy.tests.factories.WorkItemFactory", lead_unit=None)
    unit = factory.SubFactory(UnitFactory)
    role = AssignmentRole.CO


class WorkItemFactory(DjangoModelFactory):
    """A work item of a policy led by `lead_unit` (a new unit unless given; None for no
    lead), with `co_units` (`WorkItemFactory(lead_unit=unit, co_units=[other])`)."""

    class Meta:
        model = WorkItem
        skip_postgeneration_save = True

    policy = factory.SubFactory(PolicyFactory)
    code = factory.Sequence(lambda n: f"TGZ-{n:03d}")
    title = factory.Sequence(lambda n: f"测试工作事项{n}")
    lead_leader = factory.SubFactory(LeaderFactory)
    due_on = dt.date(2024, 12, 31)
    lead_unit = factory.SubFactory(UnitFactory)

    @classmethod
    def _create(cls, model_class, *args, lead_unit: Unit | None = None, **kwargs):
        item = super()._create(model_class, *args, **kwargs)
        if lead_unit is not None:
            Assignment.objects.create(work_item=item, unit=lead_unit, role=AssignmentRole.LEAD)
        return item

    @factory.post_generation
    def co_units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            Assignment.objects.create(work_item=self, unit=unit, role=AssignmentRole.CO)


class MilestoneFactory(DjangoModelFactory):
    """A time node of a work item (a new one unless given)."""

    class Meta:
        model = Milestone

    work_item = factory.SubFactory(WorkItemFactory)
    title = factory.Sequence(lambda n: f"测试节点{n}")
    due_on = dt.date(2024, 9, 30)


def progress_report(
    *, user, work_item: WorkItem, unit: Unit | None = None, percent: int = 50, **fields
) -> ProgressReport:
    """A report filed as a unit files it (`services.file_progress_report`): an officer's
    waits for the head's approval, a head's or the office's counts at once."""
    from policy import services

    return services.file_progress_report(
        user=user,
        work_item=work_item,
        unit=unit or user.membership.unit,
        reported_on=fields.pop("reported_on", dt.date(2024, 6, 15)),
        text=fields.pop("text", "按计划推进"),
        percent=percent,
        **fields,
    )


def leader_of(*units: Unit, **fields) -> Leader:
    """A city leader overseeing `units`, with a login (the `leader` role reads their rows)."""
    person = PersonFactory(role=Role.LEADER)
    return LeaderFactory(user=person, oversees=list(units), **fields)


def unit_people(unit: Unit | None = None, *, leader_name: str = "") -> dict:
    """The cast of a policy test, each by the demo's username for the same role: the office,
    a leader overseeing one unit (`leader`, their record `leader_record`), that unit's
    officer (`zjj`) and head (`zjj_head`), and the unit itself (`unit`)."""
    unit = unit or UnitFactory()
    leader = leader_of(unit, name=leader_name or f"{unit.name}分管领导")
    return {
        "unit": unit,
        "office": PersonFactory(role=Role.OFFICE),
        "leader": leader.user,
        "leader_record": leader,
        "zjj": PersonFactory(role=Role.UNIT_OFFICER, unit=unit),
        "zjj_head": PersonFactory(role=Role.UNIT_HEAD, unit=unit),
    }


def office_as_of(as_of: dt.date) -> None:
    """The office's reporting date set as the demo sets it (`org.services.save_site_config`,
    which also renews the cached settings): the pages read states on that date."""
    reporting_period(as_of.year, as_of, name=None)
