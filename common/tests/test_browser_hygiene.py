"""In a real browser (Debian Chromium): a stale policy edit is refused naming the other
person's change, and a control character pasted into a 文号 is refused at the field."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport, name", [((1280, 900), "desktop"), ((360, 780), "phone")])
def test_a_second_save_from_an_older_policy_page_is_refused(demo, new_page, viewport, name):
    from policy.models import Policy

    policy = Policy.objects.order_by("pk").first()
    first, second = new_page(viewport=viewport), new_page(viewport=viewport)
    for page in (first, second):
        login(page, "office")
        page.goto(f"/policy/{policy.pk}/edit/")
    first.fill("#id_short_name", "第一位改的简称")
    first.click("form:has(#id_short_name) button[type=submit]")
    settle(first)
    second.fill("#id_short_name", "第二位改的简称")
    second.click("form:has(#id_short_name) button[type=submit]")
    settle(second)
    alert = second.locator("form:has(#id_short_name) [role=alert]").first
    assert "他人已修改此记录" in alert.inner_text() and "第一位改的简称" in alert.inner_text()
    screenshot(second, f"hygiene-stale-policy-{name}")
    policy.refresh_from_db()
    assert policy.short_name == "第一位改的简称"


def test_a_control_character_in_a_document_number_is_refused_at_the_field(demo, new_page):
    unit = new_page(viewport=(360, 780))
    login(unit, "zjj")
    unit.goto("/cockpit/workbench/")
    form = unit.locator("#receipt-form")
    form.locator("[name=amount]").fill("100")
    form.locator("[name=received_on]").fill("2024-06-20")
    # pasted from another program: a file separator (U+001C) inside the number
    form.locator("[name=doc_no]").evaluate("el => { el.value = '财建\\u001c〔2024〕5号'; }")
    form.locator("button[type=submit]").click()
    settle(unit)
    refused = unit.locator("#receipt-form").inner_text()
    assert "控制字符" in refused and "U+001C" in refused
    unit.locator("#receipt-form").scroll_into_view_if_needed()
    screenshot(unit, "hygiene-control-character-workbench-phone")
