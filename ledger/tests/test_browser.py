import pytest

from conftest import login, screenshot

from .helpers import write_xlsx
from .test_views import BAD, GOOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_imports_a_ledger_in_the_browser(demo, new_page, tmp_path):
    page = new_page()
    login(page, "office")
    page.goto("/cockpit/")
    assert page.locator("[data-figure='secured']").inner_text() == "10.7亿元"
    page.goto("/ledger/")
    screenshot(page, "ledger-upload")
    page.set_input_files("#id_file", str(write_xlsx(tmp_path / "bad.xlsx", BAD)))
    page.click("#upload-submit")
    page.wait_for_selector("#ledger-errors")
    rows = page.locator("#ledger-errors tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["2", "3", "4"]
    assert page.locator("#confirm-submit").count() == 0
    screenshot(page, "ledger-preview-errors")

    page.set_input_files("#id_file", str(write_xlsx(tmp_path / "good.xlsx", GOOD)))
    page.click("#upload-submit")
    page.wait_for_selector("#confirm-submit")
    assert page.locator("#ledger-counts [data-sheet='到位资金'] td").nth(1).inner_text() == "1"
    screenshot(page, "ledger-preview-ok")
    page.click("#confirm-submit")
    page.wait_for_selector("#import-done")
    assert page.locator("[data-figure-before='secured']").inner_text() == "10.7亿元"
    assert page.locator("[data-figure-after='secured']").inner_text() == "13.7亿元"
    assert page.locator("[data-figure-after='rate']").inner_text() == "65%"
    assert page.locator("[data-figure-after='none']").inner_text() == "3"
    screenshot(page, "ledger-result")

    page.goto("/cockpit/")
    assert page.locator("[data-figure='secured']").inner_text() == "13.7亿元"
    assert page.locator("[data-figure='rate']").inner_text() == "65%"
    assert page.locator("[data-figure='none']").inner_text() == "3"
