"""The main menu: the role's daily pages first, the rest in four groups (督查 / 争取 / 数据 /
设置), and on a phone a menu button instead of two screens of links."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def menu_height(page) -> float:
    return page.evaluate(
        "() => document.querySelector('header.topbar').getBoundingClientRect().height"
    )


def test_the_office_menu_is_grouped_and_opens_one_group_at_a_time(new_page, demo):
    page = new_page()
    login(page, "office")
    page.goto("/cockpit/")
    settle(page)
    daily = page.locator(".menu-daily a").all_inner_texts()
    assert daily == ["驾驶舱", "工作事项", "待审批申请"]
    groups = page.locator(".menu-group > summary").all_inner_texts()
    assert [g.strip(" ▾") for g in groups] == ["督查", "争取", "数据", "设置"]
    assert not page.locator(".menu-links a").get_by_text("到位资金", exact=True).is_visible()
    page.click(".menu-group > summary:has-text('争取')")
    assert page.locator(".menu-links a").get_by_text("到位资金", exact=True).is_visible()
    page.click(".menu-group > summary:has-text('督查')")  # the other closes
    assert not page.locator(".menu-links a").get_by_text("到位资金", exact=True).is_visible()
    assert page.locator(".menu-links a", has_text="通报").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".menu-links a", has_text="通报").is_visible()
    assert menu_height(page) < 60
    page.click(".menu-group > summary:has-text('争取')")
    page.locator(".menu-links a").get_by_text("到位资金", exact=True).click()
    settle(page)
    assert page.url.endswith("/funding/receipts/")
    current = page.locator(".menu-group:has(a[aria-current=page]) > summary").inner_text()
    assert current.strip(" ▾") == "争取"
    screenshot(page, "menu-desktop")


def test_on_a_phone_the_menu_is_one_button(new_page, demo):
    page = new_page(viewport=(360, 740))
    login(page, "zjj")
    page.goto("/cockpit/workbench/")
    settle(page)
    assert menu_height(page) < 110  # was 270 px of links on every page
    assert not page.locator(".menu-daily").is_visible()
    page.click("label.menu-button")
    assert page.locator(".menu-daily a", has_text="工作台").is_visible()
    page.click(".menu-group > summary:has-text('争取')")
    assert page.locator(".menu-links a", has_text="项目").first.is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width}px"
    screenshot(page, "menu-phone-open")
