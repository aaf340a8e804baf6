"""In Chromium: the office filters a list, exports what it sees, and reads a record's history;
a leader reads the policy decomposition on a phone."""

import openpyxl
import pytest

from conftest import login, screenshot, settle
from funding.models import Receipt
from org.models import Unit
from policy.models import WorkItem


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_filters_receipts_exports_them_and_opens_one(demo, new_page, tmp_path):
    page = new_page()
    login(page, "office")
    page.goto("/funding/receipts/")
    page.get_by_text("筛选条件").click()
    zjj = Unit.objects.get(code="ZJJ")
    # the unit filter suggests units as one types (htmx fills its datalist)
    box = page.get_by_label("单位", exact=True)
    box.fill("住房")
    options = page.locator(f"datalist#{box.get_attribute('id')}-options option")
    page.wait_for_function(
        "id => { const o = document.querySelectorAll(`#${id}-options option`);"
        " return o.length === 1; }",
        arg=box.get_attribute("id"),
    )
    assert options.first.get_attribute("value") == f"ZJJ {zjj.name}"
    box.fill(options.first.get_attribute("value"))  # what choosing the suggestion puts there
    page.get_by_role("button", name="筛选").click()
    settle(page)
    rows = page.locator("table.list tbody tr")
    expected = Receipt.objects.filter(unit=zjj).count()
    assert rows.count() == expected
    screenshot(page, "receipts-filtered")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    path = tmp_path / "receipts.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.max_row - 1 == expected
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {zjj.name}
    rows.first.locator("a").first.click()
    settle(page)
    assert "新建" in page.locator("section.history").inner_text()  # who recorded it, and when
    screenshot(page, "receipt-detail")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_items_they_lead_on_a_phone(demo, new_page):
    page = new_page(viewport=(360, 740))
    login(page, "leader")
    page.goto("/policy/")
    mine = WorkItem.objects.filter(lead_leader__user__username="leader").count()
    assert page.locator("li.item").count() == mine
    screenshot(page, "policy-leader-phone")
    page.get_by_role("link", name="显示分管单位的全部事项").click()
    settle(page)
    assert page.locator("li.item").count() > mine
