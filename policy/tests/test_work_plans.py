"""Work plans, time nodes done with evidence or rescheduled, and the office's forms."""

import datetime as dt
import io
import os
import stat

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from common.permissions import Role
from org.models import Section
from org.tests.factories import LeaderFactory, PersonFactory, UnitFactory
from policy import services
from policy.models import DueDateChange, Evidence, Milestone, PlanStep, Policy, WorkItem
from policy.states import DONE, OVERDUE, due_soon_horizon, work_item_state

from .factories import (
    AspectFactory,
    MilestoneFactory,
    WorkItemFactory,
    progress_report,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class RawUpload(io.BytesIO):
    """An upload whose name is exactly as a hostile client sent it (Django's UploadedFile
    would cut the folder off before the service sees it)."""

    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name, self.size = name, len(content)

    def chunks(self):
        self.seek(0)
        yield self.read()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unit_item(people, **fields) -> WorkItem:
    """A work item led by the people's unit, due at the end of 2024 unless told."""
    return WorkItemFactory(lead_unit=people["unit"], **fields)


def open_node(people, **fields) -> Milestone:
    """An open time node of an item the people's unit leads."""
    return MilestoneFactory(work_item=unit_item(people), due_on=dt.date(2024, 6, 30), **fields)


def test_the_lead_unit_writes_a_plan_scheduled_backwards_and_its_steps_become_nodes(people):
    cast = people
    item = unit_item(people)
    section = Section.objects.create(unit=people["unit"], name="项目管理科")
    plan, schedule = services.save_work_plan(
        user=cast["zjj"],
        item=item,
        deadline=dt.date(2024, 10, 15),
        steps=[
            {"title": "摸底调查", "workdays": 5, "section": section, "person": cast["zjj"]},
            {"title": "编制方案", "workdays": 4, "section": None, "person": cast["zjj_head"]},
        ],
    )
    steps = list(plan.steps.order_by("position"))
    # the calendar org's migration seeds from chinesecalendar: National Day 1–7 Oct, 12 Oct worked
    assert [(s.starts_on, s.ends_on) for s in steps] == [
        (dt.date(2024, 9, 29), dt.date(2024, 10, 10)),
        (dt.date(2024, 10, 11), dt.date(2024, 10, 15)),
    ]
    assert schedule.warning is None
    assert [s.milestone.due_on for s in steps] == [dt.date(2024, 10, 10), dt.date(2024, 10, 15)]
    assert AuditEvent.objects.filter(action="policy.work_plan.created", object_id=plan.pk).exists()
    # saving again replaces the steps and their open nodes
    plan, _ = services.save_work_plan(
        user=cast["zjj"],
        item=item,
        deadline=dt.date(2024, 10, 15),
        steps=[{"title": "一步到位", "workdays": 3}],
        expected_version=plan.version,
    )
    assert list(plan.steps.values_list("title", flat=True)) == ["一步到位"]
    assert not Milestone.objects.filter(work_item=item, title="摸底调查").exists()


def test_saving_a_plan_again_moves_its_open_nodes_rather_than_making_new_ones(people):
    """The open milestones of the replaced steps are taken over in order: same record (its
    reminders and history go on), date moved with the old one kept, title changed; a node
    already done stays as it was; the ones left over go."""
    cast = people
    item = unit_item(people)
    plan, _ = services.save_work_plan(
        user=cast["zjj"],
        item=item,
        deadline=dt.date(2024, 10, 15),
        steps=[
            {"title": "摸底调查", "workdays": 5},
            {"title": "编制方案", "workdays": 4},
            {"title": "报批", "workdays": 2},
        ],
    )
    first, second, third = [s.milestone for s in plan.steps.order_by("position")]
    services.complete_milestone(
        user=cast["zjj"], milestone=first, done_on=dt.date(2024, 9, 30), note="摸清了"
    )
    plan, _ = services.save_work_plan(
        user=cast["zjj"],
        item=item,
        deadline=dt.date(2024, 10, 15),
        steps=[{"title": "编制并报批方案", "workdays": 6}],
        expected_version=plan.version,
    )
    [step] = plan.steps.all()
    assert step.milestone_id == second.pk  # the first open node, taken over
    moved = Milestone.objects.get(pk=second.pk)
    assert (moved.title, moved.due_on) == ("编制并报批方案", dt.date(2024, 10, 15))
    change = DueDateChange.objects.get(milestone=moved)
    assert (change.old_due_on, change.new_due_on) == (second.due_on, dt.date(2024, 10, 15))
    assert change.reason
    assert Milestone.objects.get(pk=first.pk).done_on == dt.date(2024, 9, 30)  # kept
    assert not Milestone.objects.filter(pk=third.pk).exists()  # a step the plan dropped
    actions = set(
        AuditEvent.objects.filter(object_type="policy.milestone").values_list("action", flat=True)
    )
    assert {"policy.milestone.rescheduled", "policy.milestone.updated"} <= actions
    assert "policy.milestone.removed" in actions


def test_a_year_without_calendar_gives_a_warning(people):
    item = unit_item(people)
    item.due_on = dt.date(2030, 12, 31)  # in memory only: the deadline check reads it
    _plan, schedule = services.save_work_plan(
        user=None, item=item, deadline=dt.date(2030, 3, 1), steps=[{"title": "a", "workdays": 2}]
    )
    assert schedule.warning and "2030" in schedule.warning


def test_only_the_lead_unit_and_the_office_plan_an_item(people):
    cast, jtj = people, UnitFactory()
    item = WorkItemFactory(lead_unit=jtj, co_units=[people["unit"]])  # the unit is a co-unit
    with pytest.raises(PermissionDenied):
        services.save_work_plan(
            user=cast["zjj"], item=item, deadline=item.due_on, steps=[{"title": "a", "workdays": 1}]
        )
    mine = unit_item(people, lead_leader=people["leader_record"])
    with pytest.raises(PermissionDenied):
        services.save_work_plan(
            user=cast["leader"],
            item=mine,
            deadline=dt.date(2024, 9, 1),
            steps=[{"title": "a", "workdays": 1}],
        )
    other = Section.objects.create(unit=jtj, name="综合科")
    with pytest.raises(ValidationError):
        services.save_work_plan(
            user=cast["zjj"],
            item=mine,
            deadline=dt.date(2024, 9, 1),
            steps=[{"title": "a", "workdays": 1, "section": other}],
        )
    with pytest.raises(ValidationError):  # after the item's due date
        services.save_work_plan(
            user=cast["zjj"],
            item=mine,
            deadline=dt.date(2025, 9, 1),
            steps=[{"title": "a", "workdays": 1}],
        )


def test_a_milestone_is_rescheduled_with_a_reason_and_done_with_a_file(people, settings, tmp_path):
    """The office moves a node's date itself (a unit asks: policy/tests/test_requests.py); the
    lead unit marks it done with a file."""
    settings.DATA_DIR = tmp_path
    cast = people
    node = open_node(people)
    old_due = node.due_on
    zjj, office = client_for(cast["zjj"]), client_for(cast["office"])
    url = reverse("policy:milestone_reschedule", args=[node.pk])
    refused = office.post(url, {"due_on": "2024-07-31", "reason": "  ", "version": node.version})
    assert refused.status_code == 400 and "请说明调整时限的原因" in refused.content.decode()
    assert (
        office.post(
            url, {"due_on": "2024-07-31", "reason": "省厅调整申报批次", "version": node.version}
        ).status_code
        == 302
    )
    node.refresh_from_db()
    assert node.due_on == dt.date(2024, 7, 31)
    change = DueDateChange.objects.get(milestone=node)
    assert (change.old_due_on, change.reason) == (old_due, "省厅调整申报批次")
    page = zjj.get(reverse("policy:milestone_detail", args=[node.pk])).content.decode()
    assert old_due.isoformat() in page and "省厅调整申报批次" in page

    upload = SimpleUploadedFile("批复文件.pdf", PDF, content_type="application/pdf")
    response = zjj.post(
        reverse("policy:milestone_done", args=[node.pk]),
        {
            "done_on": "2024-07-20",
            "note": "已取得批复",
            "evidence": upload,
            "version": node.version,
        },
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.done_on == dt.date(2024, 7, 20)
    evidence = Evidence.objects.get(milestone=node)
    stored = tmp_path / "evidence" / evidence.stored_as
    assert stored.read_bytes() == PDF
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert AuditEvent.objects.filter(action="policy.evidence.attached").exists()
    # served to who may see the node (the unit's leader), not to another unit; reads audited
    download = reverse("policy:evidence_download", args=[evidence.pk])
    got = client_for(cast["leader"]).get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="policy.evidence.downloaded").count() == 1
    other_unit = PersonFactory(role=Role.UNIT_OFFICER)
    assert client_for(other_unit).get(download).status_code == 404


@pytest.mark.parametrize(
    "name, content, size_mb, message",
    [
        ("../../etc/passwd.pdf", PDF, None, "不是单纯的文件名"),
        ("sub\\dir.pdf", PDF, None, "不是单纯的文件名"),
        ("程序.exe", b"MZ\x90\x00", None, "不能作为附件"),
        ("页面.html", b"<html>", None, "不能作为附件"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", None, "并不是"),
        ("很大.pdf", PDF, 21, "最大"),
    ],
)
def test_bad_evidence_is_refused_with_a_clear_message(
    people, settings, tmp_path, name, content, size_mb, message
):
    settings.DATA_DIR = tmp_path
    if size_mb:
        content = content + b"0" * (size_mb * 1024 * 1024)
    upload = RawUpload(name, content)
    node = open_node(people)
    with pytest.raises(ValidationError) as error:
        services.complete_milestone(
            user=people["zjj"], milestone=node, done_on=dt.date(2024, 7, 1), upload=upload
        )
    assert message in " ".join(error.value.messages)
    node.refresh_from_db()
    assert node.done_on is None
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").iterdir())


def test_a_forbidden_type_through_the_page_says_why(people, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    node = open_node(people)
    upload = SimpleUploadedFile("脚本.js", b"alert(1)", content_type="text/javascript")
    response = client_for(people["zjj"]).post(
        reverse("policy:milestone_done", args=[node.pk]),
        {"done_on": "2024-07-01", "evidence": upload, "version": node.version},
    )
    assert response.status_code == 400
    assert "不能作为附件" in response.content.decode()


def test_an_overdue_item_marked_done_stops_being_overdue(people):
    cast = people
    item = unit_item(people, due_on=dt.date(2024, 6, 20))  # overdue on 2024-06-30
    states = due_soon_horizon(dt.date(2024, 6, 30))
    state = WorkItem.objects.with_state(states.as_of, states.horizon).get(pk=item.pk).state
    assert state == OVERDUE
    services.complete_work_item(
        user=cast["office"], item=item, done_on=dt.date(2024, 6, 28), note="资金已下达"
    )
    state = WorkItem.objects.with_state(states.as_of, states.horizon).get(pk=item.pk).state
    assert state == DONE
    item.refresh_from_db()
    assert work_item_state(item.due_on, item.done_on, states.as_of, states.horizon) == DONE
    with pytest.raises(ValidationError):
        services.complete_work_item(user=cast["office"], item=item, done_on=dt.date(2024, 6, 29))
    with pytest.raises(ValidationError):  # a date in the future
        services.complete_work_item(
            user=cast["office"], item=unit_item(people), done_on=dt.date(2099, 1, 1)
        )


def test_only_the_office_reschedules_an_item_and_needs_a_reason(people):
    cast = people
    item = unit_item(people, due_on=dt.date(2024, 6, 20))
    with pytest.raises(PermissionDenied):
        services.reschedule_work_item(
            user=cast["zjj_head"], item=item, due_on=dt.date(2024, 8, 1), reason="x"
        )
    with pytest.raises(ValidationError):
        services.reschedule_work_item(
            user=cast["office"], item=item, due_on=dt.date(2024, 8, 1), reason=" "
        )
    office = client_for(cast["office"])
    response = office.post(
        reverse("policy:workitem_reschedule", args=[item.pk]),
        {"due_on": "2024-08-01", "reason": "配合省级批次调整", "version": item.version},
    )
    assert response.status_code == 302
    page = office.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    assert "2024-06-20" in page and "配合省级批次调整" in page


def test_the_office_registers_a_policy_measure_and_work_item_by_form(people):
    cast = people
    office = client_for(cast["office"])
    response = office.post(
        reverse("policy:policy_create"),
        {"title": "关于支持县域经济高质量发展的若干措施", "short_name": "《若干措施》"},
    )
    policy = Policy.objects.get(short_name="《若干措施》")
    assert response.status_code == 302
    aspect = AspectFactory()
    assert (
        office.post(
            reverse("policy:measure_create", args=[policy.pk]),
            {"aspect": aspect.pk, "code": "一", "text": "支持县域产业园区建设"},
        ).status_code
        == 302
    )
    measure = policy.measures.get(code="一")
    zjj, fgw = people["unit"], UnitFactory()
    leader = LeaderFactory()
    data = {
        "code": "XY-01",
        "title": "争取县域产业园区基础设施补助",
        "measure": measure.pk,
        "lead_leader": leader.pk,
        "lead_unit": zjj.pk,
        "co_units": [fgw.pk, zjj.pk],
        "due_on": "2024-12-31",
        "milestones": "2024-09-30 完成项目谋划\n2024-11-30 报送申报材料",
    }
    refused = office.post(reverse("policy:workitem_create", args=[policy.pk]), data)
    assert refused.status_code == 400 and "牵头单位不能同时是配合单位" in refused.content.decode()
    data["co_units"] = [fgw.pk]
    assert office.post(reverse("policy:workitem_create", args=[policy.pk]), data).status_code == 302
    item = WorkItem.objects.get(code="XY-01")
    assert list(item.milestones.values_list("title", flat=True)) == ["完成项目谋划", "报送申报材料"]
    assert services.lead_unit_id(item) == zjj.pk
    # edit: the lead unit changes, the due date does not move here
    edit = office.post(
        reverse("policy:workitem_edit", args=[item.pk]),
        {
            "title": item.title,
            "measure": measure.pk,
            "lead_leader": leader.pk,
            "lead_unit": fgw.pk,
            "co_units": [zjj.pk],
            "version": item.version,
        },
    )
    assert edit.status_code == 302
    assert services.lead_unit_id(item) == fgw.pk
    assert AuditEvent.objects.filter(action="policy.work_item.updated").exists()
    # a unit cannot open the office's forms
    assert client_for(cast["zjj"]).get(reverse("policy:policy_create")).status_code == 403


def test_the_plan_page_schedules_and_shows_the_steps(people):
    cast = people
    item = unit_item(people)
    zjj = client_for(cast["zjj"])
    url = reverse("policy:workplan_edit", args=[item.pk])
    assert zjj.get(url).status_code == 200
    data = {
        "deadline": "2024-10-15",
        "content": "倒排",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-title": "摸底调查",
        "steps-0-workdays": "5",
        "steps-1-title": "编制方案",
        "steps-1-workdays": "4",
        "steps-2-title": "",
        "steps-2-workdays": "",
    }
    assert zjj.post(url, data).status_code == 302
    assert list(
        PlanStep.objects.filter(plan__work_item=item).values_list("starts_on", flat=True)
    ) == [dt.date(2024, 9, 29), dt.date(2024, 10, 11)]
    data["steps-1-workdays"] = "abc"
    assert zjj.post(url, data).status_code == 400
    data["steps-1-workdays"] = "4"
    data["deadline"] = "20244-10-15"
    assert zjj.post(url, data).status_code == 400
    assert client_for(cast["leader"]).get(url).status_code == 403


def test_pages_run_a_bounded_number_of_queries(people, django_assert_max_num_queries):
    """An item with a plan of three steps (each its section, person and node) and reports:
    its pages read the rows in a bounded number of queries, not one per row."""
    item = unit_item(people)
    steps = [
        {
            "title": f"步骤{n}",
            "workdays": 3,
            "section": Section.objects.create(unit=people["unit"], name=f"科室{n}"),
            "person": people["zjj_head"],
        }
        for n in range(3)
    ]
    services.save_work_plan(
        user=people["zjj"], item=item, deadline=dt.date(2024, 10, 15), steps=steps
    )
    for percent in (20, 40):
        progress_report(user=people["zjj_head"], work_item=item, percent=percent)
    zjj = client_for(people["zjj"])
    with django_assert_max_num_queries(30):
        assert zjj.get(reverse("policy:workitem_detail", args=[item.pk])).status_code == 200
    with django_assert_max_num_queries(18):  # the rows' section and person lists: read once
        assert zjj.get(reverse("policy:workplan_edit", args=[item.pk])).status_code == 200
    node = item.milestones.first()
    with django_assert_max_num_queries(16):
        assert zjj.get(reverse("policy:milestone_detail", args=[node.pk])).status_code == 200


def test_a_node_may_be_done_without_a_file(people):
    node = open_node(people)
    services.complete_milestone(user=people["zjj"], milestone=node, done_on=dt.date(2024, 7, 1))
    assert not Evidence.objects.filter(milestone=node).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"steps-TOTAL_FORMS": "abc", "deadline": "2024-10-15"},
        {"steps-TOTAL_FORMS": "100000", "steps-INITIAL_FORMS": "0", "deadline": "2024-10-15"},
        {"deadline": "x" * 5000},
        {
            "deadline": "2024-10-15",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-title": "a",
            "steps-0-workdays": "5",
            "steps-0-section": "999999",
            "steps-0-person": "not-a-number",
        },
    ],
)
def test_hostile_plan_forms_get_a_clear_answer_not_a_500(people, data):
    url = reverse("policy:workplan_edit", args=[unit_item(people).pk])
    response = client_for(people["zjj"]).post(url, data)
    assert response.status_code == 400


def test_hostile_done_and_reschedule_posts_get_400(people):
    cast = people
    node = open_node(people)
    zjj, office = client_for(cast["zjj"]), client_for(cast["office"])
    for client, url, data in [
        (zjj, reverse("policy:milestone_done", args=[node.pk]), {"done_on": "2024-02-30"}),
        (
            zjj,
            reverse("policy:milestone_done", args=[node.pk]),
            {"done_on": "2024-07-01", "version": "x"},
        ),
        (
            office,
            reverse("policy:milestone_reschedule", args=[node.pk]),
            {"due_on": "1900-01-01", "reason": "r"},
        ),
        (
            office,
            reverse("policy:milestone_reschedule", args=[node.pk]),
            {"due_on": "2024-08-01", "reason": "r", "version": "999"},
        ),
        (
            zjj,
            reverse("policy:milestone_extension", args=[node.pk]),
            {"due_on": "2024-08-01", "reason": "r", "version": "999"},
        ),
        (
            zjj,
            reverse("policy:milestone_extension", args=[node.pk]),
            {"due_on": "x" * 3000, "reason": "", "version": str(node.version)},
        ),
    ]:
        assert client.post(url, data).status_code == 400, (url, data)
