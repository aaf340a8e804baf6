"""A link is shown only where it opens: crawl the pages each business role reaches and follow
every internal link; none may answer 403 or 404 to the person who was shown it."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.crawl]

START = [
    "/cockpit/",
    "/cockpit/workbench/",
    "/policy/",
    "/policy/items/",
    "/org/units/",
    "/funding/projects/",
    "/funding/receipts/",
    "/funding/targets/",
    "/funding/contacts/",
    "/funding/guides/",
    "/funding/leads/",
    "/funding/rates/",
    "/funding/contacts/counterparts/",
]
HREF = re.compile(r'href="([^"#]+)"')
# Links that leave the page's business (log out, language switch, static files, exports).
SKIP = re.compile(r"^/(static/|logout|i18n/|password/)|[?&]export=")
MAX_PAGES = 250


def crawl(client, start: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """BFS over internal GET links; (status by URL, the page that linked it)."""
    status: dict[str, int] = {}
    linked_from: dict[str, str] = {}
    queue = [(url, "(start)") for url in start]
    while queue and len(status) < MAX_PAGES:
        url, origin = queue.pop(0)
        if url in status:
            continue
        response = client.get(url)
        status[url] = response.status_code
        linked_from[url] = origin
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)  # a tel: or mailto: link is not a page
            parts = urlsplit(target)
            if parts.netloc or parts.scheme not in ("", "http") or SKIP.search(target):
                continue
            # one page per path: the crawl checks that links open, not every filter
            path = parts.path + (f"?{parts.query}" if "as_of" in parts.query else "")
            if path not in status:
                queue.append((path, url))
    return status, linked_from


@pytest.mark.parametrize("username", ["leader", "zjj", "zjj_head", "office"])
def test_no_link_answers_403_or_404_to_whom_it_was_shown(client, cast, username):
    client.force_login(cast[username])
    start = [url for url in START if client.get(url).status_code == 200]
    status, linked_from = crawl(client, start)
    broken = {url: (code, linked_from[url]) for url, code in status.items() if code in (403, 404)}
    assert not broken, broken
    assert len(status) > 20  # the crawl really went somewhere
