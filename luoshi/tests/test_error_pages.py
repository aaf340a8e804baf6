"""A refused page is a page of the app, in Chinese, with the menu — never a bare "403 Forbidden"."""


def test_a_refused_page_says_so_in_the_app(client, cast):
    client.force_login(cast["office"])
    response = client.get("/cockpit/workbench/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>无权访问</h1>" in page and "您的角色无权打开此页面" in page
    assert 'href="/cockpit/"' in page  # the office's own menu is there
