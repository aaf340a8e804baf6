"""The office changes the due-soon window in a real Chromium; the change shows in the history
and on the decomposition page."""

import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_changes_the_due_soon_window(demo, new_page):
    page = new_page()
    login(page, "office")
    page.click('.menu-group:has(a[href="/org/settings/"]) > summary')  # the 设置 group
    page.click('nav a[href="/org/settings/"]')
    assert page.input_value("#id_default_as_of") == "2024-06-30"
    page.fill("#id_due_soon_workdays", "15")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".message.success")
    assert page.input_value("#id_due_soon_workdays") == "15"
    assert "10 → 15" in page.locator("ol.history").inner_text()
    screenshot(page, "org-settings")
    # an as-of date outside the default year is refused with the reason next to the field
    page.fill("#id_default_as_of", "2023-12-31")
    page.click("button[type=submit].primary")
    assert page.locator(".field-error").count() == 1
    # 15 working days after Sunday 2024-06-30 is Friday 2024-07-19
    page.goto("/policy/")
    assert "2024-07-19" in page.locator("main").inner_text()


def test_the_settings_page_fits_a_phone(demo, new_page):
    page = new_page(viewport=(360, 740))
    login(page, "office")
    page.goto("/org/settings/")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "org-settings-phone")
    assert width <= 360


def test_the_office_switches_time_progress_to_by_month_without_django_admin(demo, new_page):
    """The by-month rule (按月) is an office setting on a page a demo login opens; the cockpit
    follows it: 2024-06-30 is 49.7% of the year by day and 6/12 = 50.0% by month."""
    page = new_page()
    login(page, "office")
    page.goto("/cockpit/")
    assert page.inner_text('[data-figure="time_progress"]') == "49.7%"
    page.click('.menu-group:has(a[href="/org/settings/"]) > summary')  # the 设置 group
    page.click('nav a[href="/org/settings/"]')
    page.select_option("#id_time_progress_mode", "month")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".message.success")
    page.goto("/cockpit/")
    assert page.inner_text('[data-figure="time_progress"]') == "50.0%"
    assert page.input_value("#id_mode") == "month"
    screenshot(page, "cockpit-by-month")
