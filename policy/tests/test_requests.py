"""A unit's requests the office decides (design §10): extension requests (延期申请), closing
(办结销号), and progress reports the unit head approves or sends back."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.versions import StaleObjectError
from policy import services
from policy.approvals import services as requests
from policy.models import DueDateChange, Evidence, ProgressReport, WorkItem
from policy.querysets import extension_counts
from policy.states import DONE, OVERDUE, due_soon_horizon

from .factories import MilestoneFactory, WorkItemFactory, progress_report

AS_OF = dt.date(2024, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read(item: WorkItem) -> WorkItem:
    """The item as every reader sees it on mid-2024's as-of date (policy.states)."""
    states = due_soon_horizon(AS_OF)
    return WorkItem.objects.with_state(states.as_of, states.horizon).get(pk=item.pk)


def overdue_item(people: dict | None = None) -> WorkItem:
    """An item due 2024-06-20: led by the people's unit, or the demo's GZ-08 (住建局)."""
    if people is None:
        item = WorkItem.objects.get(code="GZ-08")
    else:
        item = WorkItemFactory(lead_unit=people["unit"], due_on=dt.date(2024, 6, 20))
    assert read(item).state == OVERDUE
    return item


def unit_item(people) -> WorkItem:
    """An item the people's unit leads, due at the end of 2024."""
    return WorkItemFactory(lead_unit=people["unit"])


# --- Extension requests -------------------------------------------------------------------


def test_a_pending_extension_keeps_an_overdue_item_overdue_until_the_office_approves(people):
    cast = people
    item = overdue_item(people)
    asked = requests.request_extension(
        user=cast["zjj"],
        work_item=item,
        due_on=dt.date(2024, 12, 31),
        reason="省厅调整申报批次",
        expected_version=item.version,
    )
    seen = read(item)
    assert (seen.state, seen.due_on, seen.extension_pending) == (OVERDUE, item.due_on, True)
    # the unit cannot decide its own request, nor move the date itself
    with pytest.raises(PermissionDenied):
        requests.approve_extension(user=cast["zjj_head"], request=asked, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.reschedule_work_item(
            user=cast["zjj_head"], item=item, due_on=dt.date(2024, 12, 31), reason="调整"
        )
    # a second request while one waits, and a direct move by the office, are refused
    with pytest.raises(ValidationError):
        requests.request_extension(
            user=cast["zjj_head"], work_item=item, due_on=dt.date(2024, 9, 30), reason="再申请"
        )
    with pytest.raises(ValidationError, match="延期"):
        services.reschedule_work_item(
            user=cast["office"], item=item, due_on=dt.date(2024, 9, 30), reason="督查室调整"
        )
    with pytest.raises(StaleObjectError):
        requests.approve_extension(user=cast["office"], request=asked, expected_version=7)

    requests.approve_extension(user=cast["office"], request=asked, expected_version=1)
    item.refresh_from_db()
    assert item.due_on == dt.date(2024, 12, 31)
    assert read(item).state != OVERDUE and not read(item).extension_pending
    change = DueDateChange.objects.get(work_item=item)
    assert (change.old_due_on, change.new_due_on, change.extension_request_id) == (
        dt.date(2024, 6, 20),
        dt.date(2024, 12, 31),
        asked.pk,
    )
    assert change.reason == "省厅调整申报批次" and change.changed_by == cast["office"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "policy.extension_request.created",
        "policy.extension_request.approved",
        "policy.work_item.rescheduled",
    } <= actions
    with pytest.raises(ValidationError):  # decided once
        requests.refuse_extension(user=cast["office"], request=asked, comment="x")
    today = dt.date.today()
    assert extension_counts(today, today) == {"made": 1, "approved": 1}
    assert extension_counts(dt.date(2024, 1, 1), dt.date(2024, 6, 30)) == {
        "made": 0,
        "approved": 0,
    }


def test_a_refused_extension_says_why_and_the_date_stays(people):
    cast = people
    item = overdue_item(people)
    zjj = client_for(cast["zjj"])
    response = zjj.post(
        reverse("policy:workitem_extension", args=[item.pk]),
        {
            "due_on": "2024-12-31",
            "reason": "调整",
            "version": item.version,
            "evidence": SimpleUploadedFile("省厅通知.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    asked = item.extension_requests.get()
    assert Evidence.objects.get(extension_request=asked).work_item == item
    page = zjj.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    assert "延期申请待审批" in page and "已逾期" in page and "省厅通知.pdf" in page
    office = client_for(cast["office"])
    decide = reverse("policy:extension_decide", args=[asked.pk])
    refused = office.post(decide, {"decision": "refuse", "comment": " ", "version": 1})
    assert refused.status_code == 400
    assert (
        office.post(
            decide, {"decision": "refuse", "comment": "理由不充分，按原时限推进", "version": 1}
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.due_on == dt.date(2024, 6, 20) and read(item).state == OVERDUE
    page = zjj.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    assert "理由不充分，按原时限推进" in page and "延期未获批准" in page
    workbench = zjj.get(reverse("dashboard:workbench")).content.decode()
    assert "理由不充分，按原时限推进" in workbench and "延期未获批准" in workbench
    # the unit may ask again
    requests.request_extension(
        user=cast["zjj"], work_item=item, due_on=dt.date(2024, 7, 31), reason="补充说明"
    )


def test_a_unit_asks_for_a_node_and_cannot_move_it_itself(people):
    """The issue's case: 住建局 moved an overdue node 2024-06-15 → 2024-12-31 with "调整" and it
    was on track at once. Now the page offers only the request; the node stays overdue."""
    cast = people
    node = MilestoneFactory(work_item=unit_item(people), due_on=dt.date(2024, 6, 15))
    zjj = client_for(cast["zjj"])
    page = zjj.get(reverse("policy:milestone_detail", args=[node.pk])).content.decode()
    assert "reschedule-card" not in page and "extension-card" in page
    moved = zjj.post(
        reverse("policy:milestone_reschedule", args=[node.pk]),
        {"due_on": "2024-12-31", "reason": "调整", "version": node.version},
    )
    assert moved.status_code == 403
    with pytest.raises(PermissionDenied):
        services.reschedule_milestone(
            user=cast["zjj"], milestone=node, due_on=dt.date(2024, 12, 31), reason="调整"
        )
    response = zjj.post(
        reverse("policy:milestone_extension", args=[node.pk]),
        {"due_on": "2024-12-31", "reason": "调整", "version": node.version},
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.due_on < AS_OF
    page = zjj.get(reverse("policy:milestone_detail", args=[node.pk])).content.decode()
    assert "已逾期" in page and "延期申请待审批" in page
    queue = client_for(cast["office"]).get(reverse("policy:request_queue")).content.decode()
    assert node.title in queue and "2024-12-31" in queue
    asked = node.extension_requests.get()
    client_for(cast["office"]).post(
        reverse("policy:extension_decide", args=[asked.pk]),
        {"decision": "approve", "comment": "", "version": asked.version, "back": "queue"},
    )
    node.refresh_from_db()
    assert node.due_on == dt.date(2024, 12, 31)


def test_a_stale_or_versionless_request_is_refused(people):
    cast = people
    item = overdue_item(people)
    zjj = client_for(cast["zjj"])
    url = reverse("policy:workitem_extension", args=[item.pk])
    missing = zjj.post(url, {"due_on": "2024-12-31", "reason": "调整"})
    stale = zjj.post(url, {"due_on": "2024-12-31", "reason": "调整", "version": item.version + 3})
    assert missing.status_code == stale.status_code == 400
    assert "版本" in missing.content.decode()
    assert not item.extension_requests.exists()


# --- Closing an item (办结销号) -----------------------------------------------------------


def test_a_units_done_is_a_request_and_counts_only_once_the_office_confirms(people):
    cast = people
    item = overdue_item(people)
    with pytest.raises(PermissionDenied):  # the unit no longer closes an item itself
        services.complete_work_item(user=cast["zjj_head"], item=item, done_on=dt.date(2024, 6, 28))
    asked = requests.request_closing(
        user=cast["zjj"],
        item=item,
        done_on=dt.date(2024, 6, 18),
        note="资金已下达",
        upload=SimpleUploadedFile("下达文件.pdf", PDF, content_type="application/pdf"),
        expected_version=item.version,
    )
    seen = read(item)
    assert (seen.state, seen.done_on, seen.close_pending) == (OVERDUE, None, True)
    api = client_for(cast["zjj"]).get("/api/work-items/?page_size=100").json()
    row = next(i for i in api["items"] if i["code"] == item.code)
    assert (row["done_on"], row["close_pending"]) == (None, True)
    page = client_for(cast["zjj"]).get(reverse("policy:workitem_detail", args=[item.pk]))
    assert "待销号" in page.content.decode()
    with pytest.raises(PermissionDenied):
        requests.confirm_closing(user=cast["zjj_head"], request=asked, expected_version=1)
    with pytest.raises(ValidationError):  # the office decides the unit's request first
        services.complete_work_item(user=cast["office"], item=item, done_on=dt.date(2024, 6, 28))
    requests.confirm_closing(user=cast["office"], request=asked, expected_version=1)
    item.refresh_from_db()
    # done on the date the unit gave: on time (before 2024-06-20), so the assessment counts it
    assert (item.done_on, item.done_note) == (dt.date(2024, 6, 18), "资金已下达")
    assert read(item).state == DONE and not read(item).close_pending
    assert Evidence.objects.get(close_request=asked).work_item == item
    assert AuditEvent.objects.filter(action="policy.work_item.done", object_id=item.pk).exists()


def test_a_returned_closing_leaves_the_item_open_with_the_comment(people):
    cast = people
    item = overdue_item(people)
    zjj = client_for(cast["zjj"])
    assert (
        zjj.post(
            reverse("policy:workitem_closing", args=[item.pk]),
            {"done_on": "2024-06-28", "note": "已完成", "version": item.version},
        ).status_code
        == 302
    )
    asked = item.close_requests.get()
    with pytest.raises(ValidationError):
        requests.return_closing(user=cast["office"], request=asked, comment="", expected_version=1)
    requests.return_closing(
        user=cast["office"],
        request=asked,
        comment="佐证材料不足，请补充批复文件",
        expected_version=1,
    )
    item.refresh_from_db()
    assert item.done_on is None and read(item).state == OVERDUE
    page = zjj.get(reverse("policy:workitem_detail", args=[item.pk])).content.decode()
    assert "佐证材料不足，请补充批复文件" in page and "closing-card" in page


def test_the_office_closes_an_item_itself_with_evidence(people):
    cast = people
    item = overdue_item(people)
    office = client_for(cast["office"])
    response = office.post(
        reverse("policy:workitem_done", args=[item.pk]),
        {
            "done_on": "2024-06-25",
            "note": "督查室核实完成",
            "version": item.version,
            "evidence": SimpleUploadedFile("核实记录.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == dt.date(2024, 6, 25) and read(item).state == DONE
    assert (
        client_for(cast["zjj"])
        .post(reverse("policy:workitem_done", args=[item.pk]), {})
        .status_code
        == 403
    )


# --- Progress approval gates publication ---------------------------------------------------


def test_only_approved_progress_is_the_items_progress(people):
    cast = people
    item = unit_item(people)
    before = progress_report(user=cast["zjj_head"], work_item=item, percent=40).percent
    assert read(item).progress == before  # the head's own report: approved as filed
    report = services.file_progress_report(
        user=cast["zjj"],
        work_item=item,
        unit=cast["zjj"].membership.unit,
        reported_on=dt.date(2024, 6, 29),
        text="完成申报材料",
        percent=99,
    )
    seen = read(item)
    assert (seen.progress, seen.progress_pending) == (before, True)
    office_page = client_for(cast["office"]).get(reverse("policy:workitem_detail", args=[item.pk]))
    assert "待单位负责人审核" in office_page.content.decode()
    leader_page = client_for(cast["leader"]).get(reverse("policy:workitem_detail", args=[item.pk]))
    assert "99%" not in leader_page.content.decode()
    api = client_for(cast["zjj"]).get("/api/work-items/?page_size=100").json()
    assert next(i for i in api["items"] if i["code"] == item.code)["progress"] == before
    with pytest.raises(PermissionDenied):  # the officer does not approve
        services.approve_progress_report(user=cast["zjj"], report=report, expected_version=1)
    services.approve_progress_report(user=cast["zjj_head"], report=report, expected_version=1)
    assert read(item).progress == 99


def test_the_head_sends_a_report_back_with_a_comment_the_officer_reads(people):
    cast = people
    item = unit_item(people)
    before = progress_report(user=cast["zjj_head"], work_item=item, percent=40).percent
    report = services.file_progress_report(
        user=cast["zjj"],
        work_item=item,
        unit=cast["zjj"].membership.unit,
        reported_on=dt.date(2024, 6, 29),
        text="已完成全部工作",
        percent=100,
    )
    with pytest.raises(PermissionDenied):
        services.send_back_progress_report(
            user=cast["zjj"], report=report, comment="x", expected_version=1
        )
    head = client_for(cast["zjj_head"])
    url = reverse("dashboard:report_send_back", args=[report.pk])
    head.post(url, {"comment": "", "version": 1})
    report.refresh_from_db()
    assert report.is_pending
    head.post(url, {"comment": "100%与实际不符，请据实填报", "version": 1})
    report.refresh_from_db()
    assert report.is_returned and report.returned_by == cast["zjj_head"]
    assert read(item).progress == before and not read(item).progress_pending
    with pytest.raises(ValidationError):  # decided: it cannot be approved later
        services.approve_progress_report(user=cast["zjj_head"], report=report, expected_version=2)
    workbench = client_for(cast["zjj"]).get(reverse("dashboard:workbench")).content.decode()
    assert "100%与实际不符，请据实填报" in workbench
    assert AuditEvent.objects.filter(action="policy.progress_report.returned").exists()
    # the officer's new report answers it: the workbench no longer lists the old one
    services.file_progress_report(
        user=cast["zjj"],
        work_item=item,
        unit=cast["zjj"].membership.unit,
        reported_on=dt.date(2024, 6, 30),
        text="据实填报",
        percent=80,
    )
    assert not ProgressReport.objects.returned_unanswered(cast["zjj"].membership.unit).exists()


def test_a_new_plan_cannot_postpone_or_drop_an_overdue_node(people):
    """Re-planning moves the plan's open nodes (policy.services.save_work_plan): not a way
    around the extension request for a node already overdue."""
    cast = people
    item = unit_item(people)
    plan, _ = services.save_work_plan(
        user=cast["zjj"],
        item=item,
        deadline=dt.date(2024, 6, 20),
        steps=[{"title": "摸底调查", "workdays": 3}, {"title": "编制方案", "workdays": 3}],
        as_of=AS_OF,
    )
    for deadline, steps in [
        (dt.date(2024, 9, 30), [{"title": "摸底调查", "workdays": 3}]),  # later
        (dt.date(2024, 6, 5), [{"title": "摸底调查", "workdays": 1}]),  # the second dropped
    ]:
        with pytest.raises(ValidationError, match="延期"):
            services.save_work_plan(
                user=cast["zjj"],
                item=item,
                deadline=deadline,
                steps=steps,
                expected_version=plan.version,
                as_of=AS_OF,
            )
    node = plan.steps.get(position=2).milestone
    node.refresh_from_db()
    assert node.due_on == dt.date(2024, 6, 20)
    # the office may re-plan it (it moves dates itself)
    services.save_work_plan(
        user=cast["office"],
        item=item,
        deadline=dt.date(2024, 9, 30),
        steps=[{"title": "摸底调查", "workdays": 3}, {"title": "编制方案", "workdays": 3}],
        expected_version=plan.version,
        as_of=AS_OF,
    )
    node.refresh_from_db()
    assert node.due_on == dt.date(2024, 9, 30)


def test_the_bulletin_counts_extension_requests_made_and_approved(cast):
    import io

    import docx

    from org.period import ReportingPeriod
    from supervision.bulletin import bulletin_content
    from supervision.documents import render_bulletin_docx

    item = overdue_item()
    asked = requests.request_extension(
        user=cast["zjj"], work_item=item, due_on=dt.date(2024, 9, 30), reason="省厅批复推迟"
    )
    requests.approve_extension(user=cast["office"], request=asked, expected_version=1)
    node = WorkItem.objects.get(code="GZ-06").milestones.filter(done_on__isnull=True).first()
    requests.request_extension(
        user=cast["zjj"], milestone=node, due_on=dt.date(2024, 9, 30), reason="等待批复"
    )
    today = dt.date.today()
    content = bulletin_content(ReportingPeriod(today.year, today, "day"))
    assert content["extension_requests"] == {"made": 2, "approved": 1}
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(render_bulletin_docx(content))).paragraphs
    )
    assert "提出工作事项及时间节点延期申请2件，经督查室批准1件" in text
    # the demo's mid-year bulletin: none in its period, its sentence as it was
    mid_year = bulletin_content(ReportingPeriod(2024, AS_OF, "day"))
    assert mid_year["extension_requests"] == {"made": 0, "approved": 0}
    assert "10.7亿元" in mid_year["sentence"] and "51%" in mid_year["sentence"]
