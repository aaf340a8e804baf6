"""Design §8 and §10 in a real browser: the assessment under default-2 (and default-1 on
request), the rules versions with their method, the success rates with the year's money, and
the settings page's time progress for a pinned year; at desktop and phone widths."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = (1280, 900), (360, 800)


def test_the_assessment_rates_and_settings_read_the_same_numbers(demo, new_page):
    from supervision.services import seed_default_rules

    seed_default_rules()  # the migrations' rows, gone if an earlier test emptied the database
    for size, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        office = new_page(viewport=size)
        login(office, "office")
        office.goto("/supervision/assessment/?year=2024&as_of=2024-06-30")
        assert office.locator("#id_rules").input_value() == "default-2"
        assert "min(完成率 ÷ 时间进度, 100%)" in office.locator("#rules-line").inner_text()
        assert office.locator("#assessment tbody tr").count() == 17
        screenshot(office, f"numbers-assessment-default-2-{suffix}")
        office.select_option("#id_rules", "default-1")
        office.click(".period-form button[type=submit]")
        settle(office)
        assert "min(完成率, 100%)" in office.locator("#rules-line").inner_text()
        office.goto("/supervision/assessment/rules/")
        assert office.locator("#rules tbody tr").count() == 2
        assert "对照时间进度" in office.locator("#rules").inner_text()
        screenshot(office, f"numbers-rules-{suffix}")
        office.goto("/funding/rates/?year=2024&as_of=2024-06-30")
        settle(office)
        assert office.locator("[data-rate=funded]").inner_text().split()[0] != "0"
        assert "10.7亿元" in office.locator(".cards").inner_text()
        screenshot(office, f"numbers-rates-{suffix}")
        office.goto("/org/settings/")
        assert office.locator("#settings-time-progress").inner_text() == "49.7%"
        screenshot(office, f"numbers-settings-{suffix}")
        office.goto("/cockpit/?year=2024&as_of=2024-06-30")
        settle(office)
        screenshot(office, f"numbers-cockpit-{suffix}")
