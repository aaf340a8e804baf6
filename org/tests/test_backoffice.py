"""The office's back office: units and sections, leaders and oversight, the holiday calendar."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from common.permissions import Role
from org.calendar import load_calendar
from org.models import CalendarDay, CalendarYear, Leader, Section, Unit
from policy.models import WorkItem

from .factories import LeaderFactory, PersonFactory, UnitFactory, cast_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    """ZJJ overseen by the leader 李华 and FGW by another, FGW leading a work item; the
    office and 李华's login by their demo usernames (not the whole demo)."""
    from policy.services import save_policy, save_work_item

    zjj = UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    fgw = UnitFactory(code="FGW", name="市发展和改革委员会")
    people = cast_of("office", "leader", oversees=[zjj])
    Leader.objects.filter(user=people["leader"]).update(name="李华")
    save_work_item(
        user=None,
        policy=save_policy(user=None, title="测试政策"),
        code="GZ-01",
        title="重大项目前期工作",
        lead_leader=LeaderFactory(oversees=[fgw]),
        lead_unit=fgw,
        due_on=dt.date(2024, 9, 30),
    )
    return people


def test_the_office_creates_a_unit_and_a_duplicate_code_keeps_what_was_typed(client):
    client.force_login(PersonFactory(role=Role.OFFICE))
    data = {"code": " NEW1 ", "name": "市新设局", "kind": "department", "sort_order": "90"}
    response = client.post(reverse("org:unit_create"), data)
    unit = Unit.objects.get(code="NEW1")
    assert response["Location"] == reverse("org:unit_detail", args=[unit.pk])
    assert AuditEvent.objects.filter(action="org.unit.created", object_id=str(unit.pk)).exists()
    again = client.post(reverse("org:unit_create"), {**data, "name": "市另一个局"})
    html = again.content.decode()
    assert again.status_code == 200 and "已存在" in html and 'value="市另一个局"' in html
    assert not Unit.objects.filter(name="市另一个局").exists()


def test_a_stale_edit_says_who_changed_the_unit_and_keeps_the_typed_name(client, cast):
    unit = Unit.objects.get(code="ZJJ")
    client.force_login(cast["office"])
    form = {"name": "市住建局（甲）", "kind": unit.kind, "sort_order": unit.sort_order}
    first = client.post(reverse("org:unit_edit", args=[unit.pk]), {**form, "version": unit.version})
    assert first.status_code == 302
    stale = client.post(
        reverse("org:unit_edit", args=[unit.pk]),
        {**form, "name": "市住建局（乙）", "version": unit.version},
    )
    html = stale.content.decode()
    assert (
        stale.status_code == 200 and "市住建局（甲）" in html and 'value="市住建局（乙）"' in html
    )
    assert Unit.objects.get(pk=unit.pk).name == "市住建局（甲）"


def test_a_unit_cannot_sit_under_its_own_sub_unit(client, cast):
    parent = Unit.objects.get(code="ZJJ")
    child = Unit.objects.get(code="FGW")
    child.parent = parent
    child.save()
    client.force_login(cast["office"])
    response = client.post(
        reverse("org:unit_edit", args=[parent.pk]),
        {
            "name": parent.name,
            "kind": parent.kind,
            "sort_order": 1,
            "parent": child.pk,
            "version": parent.version,
        },
    )
    assert response.status_code == 200 and "不能" in response.content.decode()
    assert Unit.objects.get(pk=parent.pk).parent_id is None


def test_the_office_adds_a_section(client, cast):
    unit = Unit.objects.get(code="ZJJ")
    client.force_login(cast["office"])
    client.post(reverse("org:section_add", args=[unit.pk]), {"name": "  规划建设科 "})
    section = Section.objects.get(unit=unit, name="规划建设科")
    assert AuditEvent.objects.filter(
        action="org.section.created", object_id=str(section.pk)
    ).exists()
    page = client.get(reverse("org:unit_edit", args=[unit.pk])).content.decode()
    assert "规划建设科" in page


def test_changing_what_a_leader_oversees_changes_what_they_see(client, cast):
    leader = Leader.objects.get(user=cast["leader"])
    fgw = Unit.objects.get(code="FGW")
    fgw_items = list(  # read now: the oversight changes below
        WorkItem.objects.filter(assignments__unit=fgw)
        .exclude(lead_leader=leader)
        .exclude(assignments__unit__in=leader.oversees.all())  # shared with a unit of theirs
        .values_list("pk", flat=True)
    )
    assert fgw_items
    assert not WorkItem.objects.visible_to(cast["leader"]).filter(pk__in=fgw_items).exists()
    client.force_login(cast["office"])
    units = [*leader.oversees.values_list("pk", flat=True), fgw.pk]
    response = client.post(
        reverse("org:leader_edit", args=[leader.pk]),
        {
            "name": "ignored",
            "title": leader.title,
            "sort_order": leader.sort_order,
            "oversees": units,
            "version": leader.version,
        },
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.name == "李华"  # the name is the ledger's key and cannot change here
    assert fgw in leader.oversees.all()
    event = AuditEvent.objects.filter(action="org.leader.oversight_changed").latest("id")
    assert fgw.pk in event.after["oversees"] and fgw.pk not in event.before["oversees"]
    assert WorkItem.objects.visible_to(cast["leader"]).filter(pk__in=fgw_items).exists()
    assert fgw.name in client.get(reverse("org:leader_list")).content.decode()


def test_the_office_enters_and_removes_a_holiday(client):
    client.force_login(PersonFactory(role=Role.OFFICE))
    day = dt.date(2024, 12, 31)  # a Tuesday
    assert load_calendar().is_workday(day)
    url = reverse("org:calendar")
    client.post(
        url, {"action": "day", "day-date": "2024-12-31", "day-is_workday": "0", "day-name": "调试"}
    )
    assert not load_calendar().is_workday(day)
    assert AuditEvent.objects.filter(action="org.calendar_day.created").exists()
    assert "调试" in client.get(url, {"year": 2024}).content.decode()
    client.post(url, {"action": "remove", "date": "2024-12-31"})
    assert load_calendar().is_workday(day)
    assert AuditEvent.objects.filter(action="org.calendar_day.removed").exists()


def test_a_day_set_back_to_the_weekday_default_is_not_stored(client):
    client.force_login(PersonFactory(role=Role.OFFICE))
    url = reverse("org:calendar")
    client.post(url, {"action": "day", "day-date": "2024-10-01", "day-is_workday": "1"})
    assert not CalendarDay.objects.filter(date=dt.date(2024, 10, 1)).exists()
    assert load_calendar().is_workday(dt.date(2024, 10, 1))


def test_a_bad_day_form_keeps_the_typed_values(client):
    client.force_login(PersonFactory(role=Role.OFFICE))
    html = client.post(
        reverse("org:calendar") + "?year=2024",
        {"action": "day", "day-date": "2024-02-30", "day-is_workday": "0", "day-name": "不存在"},
    ).content.decode()
    assert "有效的日期" in html and 'value="不存在"' in html


def test_filling_a_year_from_the_bundled_data_and_a_year_it_does_not_know(client):
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    client.force_login(PersonFactory(role=Role.OFFICE))
    url = reverse("org:calendar")
    client.post(url + "?year=2026", {"action": "seed"})
    assert CalendarYear.objects.filter(year=2026, source="chinesecalendar").exists()
    assert not load_calendar().is_workday(dt.date(2026, 10, 1))
    response = client.post(url + "?year=2027", {"action": "seed"}, follow=True)
    assert "2027" in response.content.decode() and "逐日录入" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
    client.post(url + "?year=2027", {"action": "year", "year-source": "国办发明电〔2026〕1号"})
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕1号"
