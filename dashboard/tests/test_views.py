import datetime as dt
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from funding.models import Project, Receipt
from funding.tests.factories import ProjectFactory
from org.period import ReportingPeriod
from org.tests.factories import UnitFactory, cast_of
from reporting import read_model as read


@pytest.fixture
def people(db):
    """ZJJ's officer and head and two administrators by their demo usernames, a reserve
    project of ZJJ's and one of FGW's (not the whole demo: the cockpit's figures below read
    the demo's)."""
    zjj = UnitFactory(code="ZJJ")
    ProjectFactory(unit=zjj)
    ProjectFactory(unit=UnitFactory(code="FGW"))
    return cast_of("zjj", "zjj_head", "sysadmin", "auditor", unit=zjj)


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, f"no data-figure={name}"
    return match.group(1).strip()


def test_cumulative_and_pro_rata_plan_are_exact():
    assert read.cumulative([1, 2, 0, 3]) == [1, 3, 3, 6]
    plan = read.pro_rata_plan(366, ReportingPeriod(2024, dt.date(2024, 6, 30), "day"))
    assert plan[5] == 182 and plan[11] == 366
    assert read.pro_rata_plan(1200, ReportingPeriod(2023, dt.date(2023, 1, 1), "month")) == [
        100 * m for m in range(1, 13)
    ]
    assert read.month_end(2024, 2) == dt.date(2024, 2, 29)
    assert read.month_end(2024, 12) == dt.date(2024, 12, 31)


def test_the_cockpit_shows_the_speech_figures(client, cast):
    client.force_login(cast["office"])
    html = client.get(reverse("dashboard:cockpit")).content.decode()
    assert figure(html, "secured") == "10.7亿元"
    assert figure(html, "rate") == "51%"
    assert figure(html, "time_progress") == "49.7%"
    assert [figure(html, k) for k in ("completed", "ahead", "behind", "none")] == [
        "1",
        "4",
        "8",
        "4",
    ]
    assert "<title>驾驶舱" in html


def test_the_cockpit_follows_the_chosen_date(client, cast):
    client.force_login(cast["office"])
    html = client.get(reverse("dashboard:cockpit"), {"as_of": "2024-07-31"}).content.decode()
    assert figure(html, "secured") == "11.1亿元"  # two July receipts: +3,500万元


def test_a_leader_sees_their_own_units_first(client, cast):
    client.force_login(cast["leader"])
    html = client.get(reverse("dashboard:cockpit")).content.decode()
    rows = re.findall(r'<tr class="own"[^>]*>\s*<td><a [^>]*>([^<]+)</a>', html)
    assert set(rows) == {"市住房和城乡建设局", "市自然资源和规划局", "市城市管理局"}
    # the whole league is shown, but only the overseen units are links (the others would 404)
    assert html.count('<tr data-unit="') == 17 - 3
    linked = re.findall(r'href="/cockpit/unit/(\d+)/', html)
    for unit_id in set(linked):
        assert client.get(f"/cockpit/unit/{unit_id}/").status_code == 200
    first_row = re.search(r"<tbody>\s*<tr([^>]*)>", html.split('class="units-table"')[1])
    assert 'class="own"' in first_row.group(1)


@pytest.mark.parametrize("username", ["zjj", "zjj_head", "sysadmin", "auditor"])
def test_the_cockpit_is_for_leaders_and_the_office(client, people, username):
    client.force_login(people[username])
    assert client.get(reverse("dashboard:cockpit")).status_code == 403


def test_the_workbench_shows_my_unit(client, cast):
    client.force_login(cast["zjj"])
    html = client.get(reverse("dashboard:workbench")).content.decode()
    assert figure(html, "my-secured") == "2.2亿元"
    assert "超时间进度" in html and "市住房和城乡建设局" in html


def test_recording_a_receipt_updates_figures_and_audit(client, cast):
    client.force_login(cast["zjj"])
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("dashboard:receipt_create"),
        {"amount": "1.2亿", "received_on": "2024年6月15日", "doc_no": "建城〔2024〕9号"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "figures-changed"
    receipt = Receipt.objects.get(doc_no="建城〔2024〕9号")
    assert (receipt.amount, receipt.received_on) == (120_000_000, dt.date(2024, 6, 15))
    event = AuditEvent.objects.get(
        pk__gt=0, action="funding.receipt.created", object_id=str(receipt.pk)
    )
    assert event.actor_name == "zjj" and AuditEvent.objects.count() == events + 1
    client.force_login(cast["office"])
    html = client.get(reverse("dashboard:cockpit")).content.decode()
    assert figure(html, "secured") == "11.9亿元"


def test_a_bad_receipt_keeps_what_was_typed(client, people):
    client.force_login(people["zjj"])
    response = client.post(
        reverse("dashboard:receipt_create"),
        {"amount": "一百万", "received_on": "2024-02-30", "doc_no": "保留的文号"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "不是金额" in html and "不是有效日期" in html
    assert 'value="一百万"' in html and 'value="保留的文号"' in html
    assert not Receipt.objects.filter(doc_no="保留的文号").exists()


def test_advancing_a_project_with_a_stale_version_is_refused(client, people):
    project = Project.objects.filter(unit__code="ZJJ", stage="reserve").first()
    client.force_login(people["zjj"])
    url = reverse("dashboard:project_advance", args=[project.pk])
    ok = client.post(url, {"to_stage": "applied", "on": "2024-06-20", "version": project.version})
    assert ok.status_code == 302
    stale = client.post(
        url, {"to_stage": "in_review", "on": "2024-06-21", "version": project.version}, follow=True
    )
    project.refresh_from_db()
    assert project.stage == "applied"
    assert "他人已修改" in stale.content.decode()


def test_another_units_project_is_not_found(client, people):
    project = Project.objects.filter(unit__code="FGW").first()
    client.force_login(people["zjj"])
    url = reverse("dashboard:project_advance", args=[project.pk])
    assert (
        client.post(url, {"to_stage": "applied", "on": "2024-06-20", "version": 1}).status_code
        == 404
    )


def test_work_items_and_projects_click_through_to_their_pages(client, cast):
    from policy.models import WorkItem

    client.force_login(cast["office"])
    cockpit = client.get(reverse("dashboard:cockpit")).content.decode()
    listed = [
        i
        for i in WorkItem.objects.all()
        if reverse("policy:workitem_detail", args=[i.pk]) in cockpit
    ]
    assert listed  # the overdue and due-soon items link to their pages
    client.force_login(cast["zjj"])
    workbench = client.get(reverse("dashboard:workbench")).content.decode()
    project = Project.objects.filter(unit__code="ZJJ").first()
    assert reverse("funding:project_detail", args=[project.pk]) in workbench
    item = WorkItem.objects.filter(assignments__unit__code="ZJJ").first()
    assert reverse("policy:workitem_detail", args=[item.pk]) in workbench


@pytest.mark.parametrize(
    "title",
    [
        "TOKEN[luoshi-csrf-7f3a9c2e5b1d4086a4e2c9b7d1f05e38]",  # the old fixed placeholder
        "TOKEN[luoshi-hole-0123456789abcdef0123456789abcdef-csrf-end]",  # a mark's shape
        "<!-- luoshi-contact-form-7f3a9c2e5b1d -->",
    ],
)
def test_text_shaped_like_a_placeholder_is_shown_as_typed_on_the_workbench(client, cast, title):
    """Issue 25 point 5: the viewer's CSRF token goes only where the template put it, never
    into a title that looks like the place it goes."""
    from django.utils.html import escape

    from policy.models import Milestone, WorkItem

    items = WorkItem.objects.filter(assignments__unit__code="ZJJ")
    WorkItem.objects.filter(pk__in=items.values("pk")).update(title=title)
    Milestone.objects.filter(work_item__in=items).update(title=title)
    Project.objects.filter(unit__code="ZJJ").update(name=title)
    client.force_login(cast["zjj"])
    html = client.get(reverse("dashboard:workbench")).content.decode()
    assert html.count(escape(title)) >= 3  # work items, time nodes, contact form choices
    assert "luoshi-hole" not in html.replace(escape(title), "")
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
    assert len(tokens) > 3 and all(re.fullmatch("[A-Za-z0-9]{64}", t) for t in tokens)
