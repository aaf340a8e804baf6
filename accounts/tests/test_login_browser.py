import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_through_the_real_form_in_chromium(demo, new_page):
    page = new_page()
    page.goto("/login/")
    assert page.title().startswith("登录")
    screenshot(page, "login")
    login(page, "zjj", "wrong-password")
    screenshot(page, "login-failed")
    assert page.url.endswith("/login/")
    assert page.locator("[role=alert]").count() == 1
    login(page, "zjj")
    assert "/login/" not in page.url
