"""Browser journeys of design §10: an extension request refused then approved, a unit's
"done" returned then confirmed (销号), and a progress report sent back by the unit head."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def item_page(page, code: str) -> None:
    page.goto("/policy/items/")
    page.click(f"text={code}")
    settle(page)


def test_an_extension_request_is_refused_then_approved(demo, new_page):
    unit = new_page()
    login(unit, "zjj")
    item_page(unit, "GZ-08")  # led by 住建局, due 2024-06-20: overdue on 2024-06-30
    unit.fill("#extension-card #id_due_on", "2024-12-31")
    unit.fill("#extension-card #id_reason", "调整")
    unit.click("text=提交延期申请")
    settle(unit)
    facts = unit.locator("dl.figures").inner_text()
    assert "已逾期" in facts and "延期申请待审批" in facts and "2024-06-20" in facts
    screenshot(unit, "extension-pending")
    office = new_page()
    login(office, "office")
    item_page(office, "GZ-08")
    office.click("#pending-extension button[value=refuse]")  # no comment: refused
    settle(office)
    assert "请填写理由" in office.content()
    office.fill("#pending-extension textarea", "理由不充分，请按原时限推进")
    office.click("#pending-extension button[value=refuse]")
    settle(office)
    assert "延期申请未获批准，完成时限仍为2024-06-20" in office.content()
    unit.reload()
    content = unit.content()
    assert "延期未获批准" in content and "理由不充分，请按原时限推进" in content
    assert "已逾期" in unit.locator("dl.figures").inner_text()
    # asked again, with a reason the office accepts
    unit.fill("#extension-card #id_due_on", "2024-09-30")
    unit.fill("#extension-card #id_reason", "省厅批复推迟至9月")
    unit.click("text=提交延期申请")
    settle(unit)
    office.goto("/policy/requests/")
    office.click("#queue-extensions button[value=approve]")
    settle(office)
    assert "由2024-06-20调整为2024-09-30" in office.content()
    unit.reload()
    facts = unit.locator("dl.figures").inner_text()
    assert "2024-09-30" in facts and "已逾期" not in facts
    screenshot(unit, "extension-approved")


def test_a_units_done_is_returned_then_confirmed(demo, new_page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    evidence = tmp_path / "资金下达文件.pdf"
    evidence.write_bytes(PDF)
    unit = new_page()
    login(unit, "zjj")
    item_page(unit, "GZ-08")
    assert unit.locator("#done-card").count() == 0  # the unit asks; the office closes
    unit.fill("#closing-card #id_done_on", "2024-06-18")
    unit.fill("#closing-card #id_note", "资金已下达")
    unit.click("text=提交销号申请")
    settle(unit)
    facts = unit.locator("dl.figures").inner_text()
    assert "待销号" in facts and "已逾期" in facts
    office = new_page()
    login(office, "office")
    office.goto("/policy/requests/")
    office.fill("#queue-closings textarea", "请上传资金下达文件")
    office.click("#queue-closings button[value=refuse]")
    settle(office)
    assert "销号申请已退回单位" in office.content()
    unit.reload()
    assert "请上传资金下达文件" in unit.content() and "销号已退回" in unit.content()
    unit.fill("#closing-card #id_done_on", "2024-06-18")
    unit.fill("#closing-card #id_note", "资金已下达，附下达文件")
    unit.set_input_files("#closing-card #id_evidence", str(evidence))
    unit.click("text=提交销号申请")
    settle(unit)
    screenshot(unit, "closing-pending")
    item_page(office, "GZ-08")
    screenshot(office, "closing-decide")
    office.click("#pending-close button[value=approve]")
    settle(office)
    assert "已销号，完成日期2024-06-18" in office.content()
    unit.reload()
    facts = unit.locator("dl.figures").inner_text()
    assert "已完成" in facts and "2024-06-18" in facts and "待销号" not in facts
    with unit.expect_download() as download:
        unit.click("text=资金下达文件.pdf")
    assert open(download.value.path(), "rb").read() == PDF


def test_the_head_sends_a_report_back_and_the_officer_reads_why(demo, new_page):
    officer = new_page()
    login(officer, "zjj")
    officer.goto("/cockpit/workbench/")
    settle(officer)
    officer.select_option("#id_work_item", label="GZ-05 " + _title("GZ-05"))
    officer.fill("#id_reported_on", "2024-06-29")
    officer.fill("#id_percent", "60")
    officer.fill("#id_text", "完成申报材料编制")
    officer.click("#report-form button")
    settle(officer)
    assert "进展已填报" in officer.content()
    item_page(officer, "GZ-05")
    facts = officer.locator("dl.figures").inner_text()
    assert "60%" not in facts and "新报进度待单位负责人审核" in facts
    head = new_page()
    login(head, "zjj_head")
    head.goto("/cockpit/workbench/")
    settle(head)
    card = head.locator("#pending-reports")
    assert "完成申报材料编制" in card.inner_text()
    card.locator("summary").first.click()
    card.locator("textarea").first.fill("60%与实际进度不符，请据实填报")
    card.locator("button", has_text="退回联络员").first.click()
    settle(head)
    assert "进度反馈已退回" in head.content()
    screenshot(head, "report-sent-back")
    officer.goto("/cockpit/workbench/")
    settle(officer)
    returned = officer.locator("#returned-reports").inner_text()
    assert "60%与实际进度不符，请据实填报" in returned
    screenshot(officer, "report-returned-workbench")
    item_page(officer, "GZ-05")
    assert "60%" not in officer.locator("dl.figures").inner_text()


def _title(code: str) -> str:
    from policy.models import WorkItem

    return WorkItem.objects.get(code=code).title
