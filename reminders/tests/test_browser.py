import re

import pytest

from conftest import login, screenshot, settle
from reminders.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_shows_the_count_and_opens_my_reminders(demo, new_page, cast):
    unread = Delivery.objects.unread_for(cast["zjj"]).count()
    assert unread > 0
    page = new_page()
    login(page, "zjj")
    page.goto("/cockpit/workbench/")
    badge = page.locator("#bell .bell-count")
    badge.wait_for()
    assert badge.inner_text() == str(unread)
    screenshot(page, "reminders-bell-workbench")
    page.click("#bell")
    settle(page)
    assert page.locator("h1").inner_text().startswith("我的催办")
    # the first page: the newest 30, some acknowledged (and so read) in the demo's history
    first_page = Delivery.objects.inbox_of(cast["zjj"])[:30]
    assert page.locator("li.notice.unread").count() == sum(
        1 for d in first_page if d.read_at is None
    )
    screenshot(page, "reminders-inbox")
    page.locator("li.notice.unread").first.get_by_role("button", name="标为已读").click()
    settle(page)
    page.locator("#bell .bell-count").wait_for()
    assert page.locator("#bell .bell-count").inner_text() == str(unread - 1)


def test_reminder_pages_at_phone_width(demo, new_page):
    page = new_page(viewport=(390, 844))
    login(page, "office")
    page.goto("/reminders/all/")
    assert re.search(r"共 \d+ 条", page.locator("h1").inner_text())
    screenshot(page, "reminders-list-390")
    page.goto("/reminders/robots/")
    assert "企业微信群机器人" in page.content()
    screenshot(page, "reminders-robots-390")
    page = new_page(viewport=(390, 844))
    login(page, "zjj")
    page.goto("/reminders/")
    page.locator("#bell .bell-count").wait_for()
    screenshot(page, "reminders-inbox-390")
