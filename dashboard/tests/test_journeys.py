"""Journeys through the cockpit and the workbench in a real Chromium."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_receipt_and_the_cockpit_changes(demo, new_page):
    office = new_page()
    login(office, "office")
    office.goto("/cockpit/")
    assert office.locator('[data-figure="secured"]').inner_text() == "10.7亿元"
    assert office.locator('[data-figure="rate"]').inner_text() == "51%"
    counts = [
        office.locator(f'[data-figure="{k}"]').inner_text()
        for k in ("completed", "ahead", "behind", "none")
    ]
    assert counts == ["1", "4", "8", "4"]
    office.wait_for_selector("#chart-units svg")
    screenshot(office, "cockpit-office")

    officer = new_page()
    login(officer, "zjj")
    assert officer.url.endswith("/cockpit/workbench/")
    assert officer.locator('[data-figure="my-secured"]').inner_text() == "2.2亿元"
    form = officer.locator("#receipt-form")
    form.locator("[name=amount]").fill("1,000")
    form.locator("[name=received_on]").fill("2024-06-18")
    form.locator("[name=doc_no]").fill("建城〔2024〕66号")
    form.locator("button[type=submit]").click()
    officer.wait_for_selector("#receipt-form .message.success")
    # htmx refreshes my figures after the save (no page reload)
    expect(officer.locator('[data-figure="my-secured"]')).to_have_text("2.3亿元")
    screenshot(officer, "workbench-after-receipt")

    office.reload()
    assert office.locator('[data-figure="secured"]').inner_text() == "10.8亿元"


def test_a_leader_drills_down_to_a_lagging_unit_on_a_phone(demo, new_page):
    page = new_page(viewport=(360, 740))
    login(page, "leader")
    assert page.url.endswith("/cockpit/")
    assert page.locator('[data-figure="secured"]').inner_text() == "10.7亿元"
    page.wait_for_selector("#chart-units svg")
    screenshot(page, "cockpit-leader-phone")
    # 市城市管理局 is one of the leader's units and has no result yet
    row = page.locator("tr.own", has_text="市城市管理局")
    assert row.locator(".status").inner_text() == "无实绩"
    row.get_by_role("link", name="市城市管理局").click()
    settle(page)
    assert page.locator("h1").inner_text() == "市城市管理局"
    assert page.locator('[data-figure="unit-status"]').inner_text() == "无实绩"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    screenshot(page, "unit-drilldown-phone")


def test_a_form_error_keeps_what_was_typed(demo, new_page):
    page = new_page()
    login(page, "zjj")
    form = page.locator("#receipt-form")
    form.locator("[name=amount]").fill("三千五")
    form.locator("[name=received_on]").fill("2024-06-18")
    form.locator("[name=doc_no]").fill("待核文号")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#receipt-form .field-error")
    form = page.locator("#receipt-form")
    assert "不是金额" in form.locator(".field-error").first.inner_text()
    assert form.locator("[name=amount]").input_value() == "三千五"
    assert form.locator("[name=doc_no]").input_value() == "待核文号"
    assert form.locator("[name=received_on]").input_value() == "2024-06-18"
    screenshot(page, "workbench-form-error")


PHONE_PAGES = {
    "zjj": ["/cockpit/workbench/", "/funding/receipts/", "/funding/projects/", "/policy/items/"],
    "leader": ["/cockpit/", "/policy/", "/funding/contacts/"],
    "office": [
        "/cockpit/",
        "/org/units/",
        "/org/leaders/",
        "/org/calendar/",
        "/funding/targets/",
        "/funding/guides/",
        "/funding/guides/new/",
        "/ledger/",
    ],
}


def test_the_daily_pages_are_no_wider_than_a_phone(demo, new_page):
    # wide tables and the project board scroll inside their own box; the page itself must not
    for username, paths in PHONE_PAGES.items():
        page = new_page(viewport=(360, 740))
        login(page, username)
        for path in paths:
            page.goto(path)
            settle(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360 + 1, f"{path} as {username} is {width} px wide"
