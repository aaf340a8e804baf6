"""The supervision loop in a real browser (Debian Chromium): a dispatch round from opening to
the briefing, and the 30 June bulletin issued and downloaded as .docx and .pdf."""

import io
import re
import subprocess

import pytest
from docx import Document

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = (
    "截至2024年6月30日，全市累计完成对上争取资金10.7亿元，占全年计划的51%。17个任务部门中，"
    "完成全年任务的1家，超时间进度的4家，低于时间进度的8家，无实绩的4家。"
)


def test_office_opens_a_round_a_unit_answers_the_office_compiles(demo, new_page, job_worker):
    office = new_page()
    login(office, "office")
    office.goto("/supervision/dispatch/")
    screenshot(office, "supervision-dispatch-list")
    office.click("text=发起调度")
    office.fill("#id_title", "8月调度会")
    office.fill("#id_meeting_on", "2024-08-10")
    office.fill("#id_due_on", "2024-08-08")
    office.fill("#id_as_of", "2024-06-30")
    ticked = office.locator("#id_units input:checked")
    assert ticked.count() == 12  # the 8 behind and the 4 with no result, ticked for the office
    for box in office.locator("#id_units input").all():
        box.uncheck()
    office.get_by_label("市住房和城乡建设局", exact=True).check()
    office.get_by_label("市水利局", exact=True).check()
    office.fill("#id_questions", "下半年拟申报项目\n需要协调的问题")
    screenshot(office, "supervision-dispatch-form")
    office.click("#dispatch-submit")
    settle(office)
    assert "调度已发起" in office.content()
    assert office.locator("#answered-count").inner_text() == "0 / 2"
    detail_url = office.url

    unit = new_page(viewport=(390, 844))
    login(unit, "zjj")
    unit.goto("/cockpit/workbench/")
    screenshot(unit, "supervision-workbench-card-phone")
    unit.click("#dispatch-card >> text=8月调度会")
    settle(unit)
    known = unit.locator("#known-figures").inner_text()
    assert "3.6亿元" in known and "2.2亿元" in known and "61%" in known
    unit.fill("#id_answer_0", "老旧小区改造二期，拟争取中央预算内投资5000万元")
    unit.fill("#id_answer_1", "需财政局明确配套资金")
    screenshot(unit, "supervision-dispatch-answer-phone")
    unit.click("#answer-submit")
    settle(unit)
    assert "已报送督查室" in unit.content()

    office.goto(detail_url)
    assert office.locator("#answered-count").inner_text() == "1 / 2"
    office.click("#urge-button")
    settle(office)
    # 市水利局 has no account and no robot: the urging says it reached no one
    assert "1个单位中有1个无法送达" in office.content() and "市水利局" in office.content()
    screenshot(office, "supervision-dispatch-detail")
    office.click("#briefing-download")  # a background job: its page, then the file
    settle(office)
    office.wait_for_selector("#job-download", timeout=120_000)
    with office.expect_download() as info:
        office.click("#job-download")
    path = info.value.path()
    document = Document(io.BytesIO(open(path, "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "老旧小区改造二期" in text and "累计到位2.2亿元" in text
    assert document.tables[0].rows[1].cells[0].text == "市水利局"


def test_office_issues_the_june_bulletin_and_downloads_word_and_pdf(
    demo, new_page, tmp_path, job_worker
):
    office = new_page()
    login(office, "office")
    office.goto("/supervision/bulletins/")
    screenshot(office, "supervision-bulletin-list")
    office.fill("#id_as_of", "2024-06-30")
    office.fill("#id_year", "2024")
    office.click("#preview-button")
    settle(office)
    assert office.locator("#sentence").inner_text() == SENTENCE
    assert office.locator("#league tbody tr").count() == 17
    screenshot(office, "supervision-bulletin-preview")
    office.click("#issue-button")  # a background job: its page follows it to the end
    settle(office)
    assert office.locator("#job-progress [role=progressbar]").count() == 1
    screenshot(office, "supervision-bulletin-issue-job")
    office.wait_for_selector("#job-progress[data-status=done]", timeout=180_000)
    screenshot(office, "supervision-bulletin-issue-job-done")
    office.click("#job-open")
    settle(office)
    assert "第2期" in office.locator("h1").inner_text()
    assert office.locator("#sentence").inner_text() == SENTENCE
    screenshot(office, "supervision-bulletin-detail")

    with office.expect_download() as info:
        office.click("#download-docx")
    document = Document(info.value.path())
    assert SENTENCE in [p.text for p in document.paragraphs]
    league = next(t for t in document.tables if t.rows[0].cells[1].text == "任务部门")
    assert len(league.rows) == 18

    with office.expect_download() as info:
        office.click("#download-pdf")
    pdf = tmp_path / "bulletin.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert SENTENCE in re.sub(r"\s+", "", text.decode())

    phone = new_page(viewport=(390, 844))
    login(phone, "leader")
    phone.goto("/supervision/bulletins/")
    phone.click("#bulletins >> text=第2期")
    settle(phone)
    assert phone.locator("#league tbody tr").count() == 17
    screenshot(phone, "supervision-bulletin-detail-phone")


def test_assessment_and_rules_pages(demo, new_page):
    from supervision.services import seed_default_rules

    seed_default_rules()  # the migration's row, gone if an earlier test emptied the database
    office = new_page()
    login(office, "office")
    office.goto("/supervision/assessment/?year=2024&as_of=2024-06-30")
    assert office.locator("#assessment tbody tr").count() == 17
    screenshot(office, "supervision-assessment")
    office.goto("/supervision/assessment/rules/")
    row = office.locator("#rules tbody tr").first
    row.locator("input[name=code]").fill("2025-1")
    row.locator("input[name=year]").fill("2025")
    row.locator("button").click()
    settle(office)
    assert "已复制为2025-1" in office.content()
    office.fill("#id_bonus_cap", "8")
    screenshot(office, "supervision-rules-edit")
    office.click("#rules-form button[type=submit]")
    settle(office)
    assert "规则已保存" in office.content()
    screenshot(office, "supervision-rules-list")
    phone = new_page(viewport=(390, 844))
    login(phone, "leader")
    phone.goto("/supervision/assessment/?year=2024&as_of=2024-06-30")
    screenshot(phone, "supervision-assessment-phone")
