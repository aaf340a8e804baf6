"""A long list's Excel export in the browser: the button starts a background job, its page
shows the progress, then the file with every row (issue 21.2)."""

import pytest
from python_calamine import CalamineWorkbook

from conftest import login, screenshot, settle
from funding.models import Receipt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_exports_a_long_list_in_the_background(demo, new_page, settings, job_worker):
    settings.EXPORT_IMMEDIATE_ROWS = 10
    total = Receipt.objects.count()
    page = new_page(viewport=(1280, 900))
    login(page, "office")
    page.goto("/funding/receipts/?sort=-amount")
    assert page.locator("#export-background").is_visible()
    screenshot(page, "lists-export-background-1280")
    phone = new_page(viewport=(360, 740))
    login(phone, "office")
    phone.goto("/funding/receipts/?sort=-amount")
    screenshot(phone, "lists-export-background-360")

    page.click("#export-job")
    settle(page)
    assert page.locator("#job-progress [role=progressbar]").count() == 1
    page.wait_for_selector("#job-progress[data-status=done]", timeout=120_000)
    screenshot(page, "lists-export-job-done-1280")
    with page.expect_download() as info:
        page.click("#job-download")
    sheet = CalamineWorkbook.from_path(info.value.path()).get_sheet_by_index(0).to_python()
    assert len(sheet) - 1 == total > 10
