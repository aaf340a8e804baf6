"""The token page and the API docs in a real browser: the token works once copied from the
page, and the docs page runs from local files under the site's Content-Security-Policy."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_made_on_the_page_opens_the_api(demo, new_page, live_server):
    page = new_page()
    login(page, "zjj")
    page.goto("/api-tokens/")
    page.fill("#token-name", "报表脚本")
    page.fill("#token-days", "30")
    page.click("text=创建令牌")
    settle(page)
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("lsk_")
    screenshot(page, "api-tokens")
    response = page.request.get(
        f"{live_server.url}/api/units/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200 and [u["code"] for u in response.json()["items"]] == ["ZJJ"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=吊销")
    settle(page)
    assert "已吊销" in page.content()
    again = page.request.get(
        f"{live_server.url}/api/units/", headers={"Authorization": f"Bearer {token}"}
    )
    assert again.status == 401


def test_the_docs_page_runs_from_local_files_under_the_csp(db, new_page, live_server):
    page = new_page()
    outside, violations = [], []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/api/docs/")
    page.wait_for_selector("text=/api/receipts/", timeout=15_000)
    assert page.locator(".opblock").count() >= 15
    screenshot(page, "api-docs")
    assert not outside, outside
    assert not violations, violations
