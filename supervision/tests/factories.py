"""A few lagging units for the supervision tests, not the whole demo.

On 30 June 2024 three units lead an overdue work item each (the ground the office asks them
for causes and measures on): 住建局, whose people and leader 李华 are the policy cast
(policy.tests.factories.unit_people); 城管局, which 李华 also oversees; and 民政局, which
another leader, 杨帆, oversees."""

import datetime as dt

from org.tests.factories import UnitFactory
from policy.tests.factories import WorkItemFactory, leader_of, unit_people

AS_OF = dt.date(2024, 6, 30)


def lagging_units() -> dict:
    """The cast (`office`, `leader`, `zjj`, `zjj_head`, `unit`) with `cgj` and `mzj`, the
    other two units, `other_leader` (杨帆's record) and `overdue` (each unit's item, by code)."""
    people = unit_people(UnitFactory(code="ZJJ", name="市住房和城乡建设局"), leader_name="李华")
    cgj = UnitFactory(code="CGJ", name="市城市管理局")
    mzj = UnitFactory(code="MZJ", name="市民政局")
    people["leader_record"].oversees.add(cgj)
    other_leader = leader_of(mzj, name="杨帆")
    overdue = {
        code: WorkItemFactory(code=code, lead_unit=unit, due_on=due_on)
        for code, unit, due_on in [
            ("GZ-08", people["unit"], dt.date(2024, 6, 20)),
            ("GZ-21", cgj, dt.date(2024, 6, 10)),
            ("GZ-33", mzj, dt.date(2024, 5, 31)),
        ]
    }
    return {**people, "cgj": cgj, "mzj": mzj, "other_leader": other_leader, "overdue": overdue}


def funded(unit, *, target_wan: int, secured_wan: int, received_on=dt.date(2024, 5, 20)) -> None:
    """`unit`'s 2024 target and money secured (万元), through the funding services: the
    figures pages read them from the one read model, which those writes keep."""
    from common.money import YUAN_PER_WAN
    from funding import services as funding
    from funding.tests.factories import ChannelFactory

    funding.set_target(user=None, unit=unit, year=2024, amount=target_wan * YUAN_PER_WAN)
    funding.record_receipt(
        user=None,
        unit=unit,
        amount=secured_wan * YUAN_PER_WAN,
        received_on=received_on,
        doc_no=f"测财〔2024〕{unit.pk}号",
        channel=ChannelFactory(),
    )
