import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_opens_unit_list_and_detail(demo, new_page):
    page = new_page()
    login(page, "office")
    page.goto("/org/units/")
    assert page.locator("h1").inner_text() == "单位 共 33 条"
    screenshot(page, "org-unit-list")
    page.click("text=市住房和城乡建设局")
    settle(page)
    assert "年度目标" in page.content()
    screenshot(page, "org-unit-detail")


def test_unit_detail_at_phone_width(demo, new_page):
    page = new_page(viewport=(360, 800))
    login(page, "zjj")
    page.goto("/org/units/")
    page.click("text=市住房和城乡建设局")
    settle(page)
    screenshot(page, "org-unit-detail-360")
