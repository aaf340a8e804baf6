"""Reach and response pages in Chromium: the leader's digest at 360 px (one column, large
figures), the effect of urging, 无法送达, a unit's people and robots."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leaders_digest_fits_a_phone(demo, new_page):
    page = new_page(viewport=(360, 780))
    login(page, "leader")
    page.goto("/supervision/digest/?as_of=2024-09-30")
    settle(page)
    big = page.locator("#digest-secured .big-value")
    assert big.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # one column, nothing sideways
    assert page.locator(".digest-unit").count() >= 3
    screenshot(page, "supervision-digest-360")


def test_effect_unreachable_and_unit_reach_pages(demo, new_page):
    page = new_page(viewport=(1280, 900))
    login(page, "office")
    page.goto("/supervision/effect/?year=2024&as_of=2024-09-30")
    settle(page)
    page.wait_for_selector("#chart-effect svg")
    screenshot(page, "supervision-effect")
    page.goto("/reminders/unreachable/")
    settle(page)
    assert page.locator("#unreachable tbody tr").count() > 0
    screenshot(page, "reminders-unreachable")
    page.goto("/org/units/")
    page.click("text=市住房和城乡建设局")
    settle(page)
    assert page.locator("#people").is_visible()
    screenshot(page, "org-unit-reach")
    page.goto("/supervision/dispatch/")
    page.click("text=2024年7月对上争取工作调度会")
    settle(page)
    screenshot(page, "supervision-dispatch-reached")
    phone = new_page(viewport=(360, 780))
    login(phone, "zjj")
    phone.goto("/reminders/")
    settle(phone)
    screenshot(phone, "reminders-inbox-ack-360")
