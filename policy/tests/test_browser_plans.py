"""Browser journey: a time node is extended on the unit's request and marked done with a file;
the lead unit writes its plan; the office's forms at desktop and phone width."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_node_is_extended_on_request_and_marked_done_with_a_file(
    demo, new_page, settings, tmp_path
):
    """The unit asks to move its overdue node (it cannot move it itself); the node stays
    overdue until the office approves from its queue; then the unit marks it done."""
    settings.DATA_DIR = tmp_path
    evidence = tmp_path / "可研批复.pdf"
    evidence.write_bytes(PDF)
    page = new_page()
    login(page, "zjj")
    page.goto("/policy/items/")
    page.click("text=GZ-06")
    settle(page)
    screenshot(page, "workitem-detail")
    page.click("text=完成项目梳理包装和申报材料")  # the demo's overdue node of GZ-06
    settle(page)
    assert "已逾期" in page.content()
    assert page.locator("#reschedule-card").count() == 0  # only the office moves a date
    page.fill("#extension-card #id_due_on", "2024-07-31")
    page.click("text=提交延期申请")
    settle(page)
    assert "请说明调整时限的原因" in page.content()
    page.fill("#extension-card #id_reason", "省发改委调整申报批次至7月")
    page.click("text=提交延期申请")
    settle(page)
    content = page.content()
    assert "延期申请已提交" in content and "延期申请待审批" in content
    assert "已逾期" in content  # pending: the node keeps its date and its state
    node_url = page.url
    office = new_page()
    login(office, "office")
    office.goto("/policy/requests/")
    assert "省发改委调整申报批次至7月" in office.content()
    screenshot(office, "request-queue")
    office.click("#queue-extensions button[value=approve]")
    settle(office)
    assert "已批准延期：完成时限由2024-06-28调整为2024-07-31" in office.content()
    page.goto(node_url)
    content = page.content()
    assert "<del>2024-06-28</del>" in content and "延期已批准" in content
    page.fill("#done-card #id_done_on", "2024-07-20")
    page.fill("#done-card #id_note", "申报材料已报送省发改委")
    page.set_input_files("#done-card #id_evidence", str(evidence))
    page.click("#done-card button")
    settle(page)
    assert "时间节点已标记完成" in page.content()
    with page.expect_download() as download:
        page.click("text=可研批复.pdf")
    assert open(download.value.path(), "rb").read() == PDF
    screenshot(page, "milestone-done")
    phone = new_page(viewport=(390, 844))
    login(phone, "zjj")
    phone.goto(page.url.replace(page.url.split("/policy")[0], ""))
    screenshot(phone, "milestone-done-390")
    phone.goto("/policy/items/")
    phone.click("text=GZ-06")
    settle(phone)
    screenshot(phone, "workitem-detail-390")


def test_the_lead_unit_plans_backwards_from_a_deadline(demo, new_page):
    from org.models import CalendarYear
    from org.services import seed_calendar_year

    # a transactional test before this one flushed the calendar the migrations seed
    if not CalendarYear.objects.filter(year=2024).exists():
        seed_calendar_year(user=None, year=2024)
    page = new_page()
    login(page, "zjj")
    page.goto("/policy/items/")
    page.click("text=GZ-05")
    settle(page)
    page.click("text=编制工作计划")
    settle(page)
    page.fill("#id_deadline", "2024-10-15")
    page.fill("#id_steps-0-title", "摸底调查")
    page.fill("#id_steps-0-workdays", "5")
    page.select_option("#id_steps-0-section", label="项目管理科")
    page.fill("#id_steps-1-title", "编制方案")
    page.fill("#id_steps-1-workdays", "4")
    page.click("text=倒排并保存")
    settle(page)
    content = page.content()
    errors = page.locator(".field-error, .message.error").all_inner_texts()
    assert "工作计划已保存" in content, errors
    steps = page.locator("table.plan-steps").inner_text()
    # across the National Day holiday: 29 September is a make-up working day
    assert "2024-09-29" in steps and "2024-10-11" in steps, steps
    screenshot(page, "workplan")
    phone = new_page(viewport=(390, 844))
    login(phone, "zjj")
    phone.goto(page.url.replace(page.url.split("/policy")[0], ""))
    screenshot(phone, "workplan-390")


def test_the_office_forms_at_desktop_and_phone_width(demo, new_page):
    for width, suffix in ((1366, ""), (390, "-390")):
        page = new_page(viewport=(width, 900))
        login(page, "office")
        page.goto("/policy/")
        page.click("text=《意见》") if page.locator("text=《意见》").count() else None
        page.goto("/policy/1/edit/")
        assert "分工方案（工作事项）" in page.content()
        screenshot(page, f"policy-form{suffix}")
        page.goto("/policy/1/items/new/")
        screenshot(page, f"workitem-form{suffix}")
        page.goto("/policy/aspects/")
        screenshot(page, f"aspects{suffix}")
