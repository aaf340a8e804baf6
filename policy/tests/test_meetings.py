"""Meetings and their decisions (会议议定事项): each decision is a work item from its meeting,
so its state, reminders, lag explanations and the bulletin follow it; minutes as .docx."""

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse

from org.tests.factories import UnitFactory
from policy.models import Meeting, MeetingKind, WorkItem
from reminders.sources import RunContext, work_items
from supervision.bulletin import meeting_decisions

from .factories import WorkItemFactory, leader_of, unit_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def zjj_people(db) -> dict:
    """The policy cast around a unit named as the demo's 住建局 (the minutes print it)."""
    return unit_people(UnitFactory(code="ZJJ", name="市住房和城乡建设局"))


def test_the_office_records_a_meeting_and_its_decisions(client, zjj_people):
    cast = zjj_people
    client.force_login(cast["office"])
    chair = leader_of(cast["unit"], name="李华")
    response = client.post(
        reverse("policy:meeting_list"),
        {
            "title": "城市更新专题会",
            "kind": "topic",
            "held_on": "2024-07-10",
            "chair": chair.pk,
            "attendees": "市住建局、市财政局",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="城市更新专题会")
    zjj, czj = cast["unit"], UnitFactory(code="CZJ", name="市财政局")
    response = client.post(
        reverse("policy:meeting_detail", args=[meeting.pk]),
        {
            "title": "7月底前完成老旧小区改造项目清单报送",
            "lead_unit": zjj.pk,
            "co_units": [czj.pk],
            "due_on": "2024-07-26",
        },
    )
    assert response.status_code == 302
    decision = WorkItem.objects.get(source_meeting=meeting)
    assert decision.lead_leader == chair  # the chair leads unless another leader is named
    assert decision.code == f"HY{meeting.pk}-01"
    assert {a.unit.code for a in decision.assignments.all()} == {"ZJJ", "CZJ"}
    # a decision due before its meeting is refused
    refused = client.post(
        reverse("policy:meeting_detail", args=[meeting.pk]),
        {"title": "x", "lead_unit": zjj.pk, "due_on": "2024-07-01"},
    )
    assert refused.status_code == 400
    # followed like a work item: on the unit's workbench, reminded, in the bulletin
    client.force_login(cast["zjj"])
    assert (
        "7月底前完成老旧小区改造项目清单报送" in client.get("/cockpit/workbench/").content.decode()
    )
    notices = [
        n
        for n in work_items(RunContext.for_date(dt.date(2024, 7, 22)))
        if n.topic == f"workitem:{decision.pk}"
    ]
    assert {n.unit.code for n in notices} == {"ZJJ", "CZJ"}
    rows = meeting_decisions(dt.date(2024, 7, 31))
    mine = next(r for r in rows if r["code"] == decision.code)
    assert mine["state"] == "overdue" and mine["meeting"] == "城市更新专题会"
    assert not [r for r in meeting_decisions(dt.date(2024, 7, 9)) if r["code"] == decision.code]
    # minutes as .docx, opened by python-docx
    minutes = client.get(reverse("policy:meeting_minutes", args=[meeting.pk]))
    document = docx.Document(io.BytesIO(minutes.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "城市更新专题会纪要" in text and "李华主持召开专题会" in text
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "7月底前完成老旧小区改造项目清单报送" in cells and "市住房和城乡建设局" in cells


def test_a_unit_reads_meetings_but_cannot_record_one(client, zjj_people):
    cast = zjj_people
    meeting = Meeting.objects.create(
        title="2024年上半年对上争取工作调度会", kind=MeetingKind.TOPIC, held_on=dt.date(2024, 6, 5)
    )
    for lead, co in [(cast["unit"], []), (UnitFactory(), [cast["unit"]]), (UnitFactory(), [])]:
        WorkItemFactory(source_meeting=meeting, lead_unit=lead, co_units=co)
    client.force_login(cast["zjj"])
    assert client.get(reverse("policy:meeting_list")).status_code == 200
    refused = client.post(
        reverse("policy:meeting_list"), {"title": "x", "kind": "topic", "held_on": "2024-07-10"}
    )
    assert refused.status_code == 403
    page = client.get(reverse("policy:meeting_detail", args=[meeting.pk]))
    codes = [d.code for d in page.context["decisions"]]
    # ZJJ sees the decisions it takes part in, not the others
    assert codes and all(
        WorkItem.objects.get(code=c).assignments.filter(unit__code="ZJJ").exists() for c in codes
    )
    assert len(codes) == 2 < meeting.decisions.count()
