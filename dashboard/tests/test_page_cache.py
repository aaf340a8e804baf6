"""The page cache kept plain (issue 22 point 4): what each response renders for its viewer
(every form and its CSRF token) is never put into a cached body by substitution, logging in
leaves cached pages cached, and LUOSHI_PAGE_CACHE=false gives the same pages computed afresh.

Transactional tests: inside a test's transaction nothing is cached (common/stamps.py)."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from common import stamps
from funding.models import Project, Receipt
from policy.models import Milestone, WorkItem
from reporting.tests.test_stamps import _computations as computed

PASSWORD = "Luoshi@2024demo"
#: every mark a cached body was ever filled at, and Django's own words for the token
FORMER_MARKS = (
    "luoshi-csrf-7f3a9c2e5b1d4086a4e2c9b7d1f05e38",  # the fixed CSRF placeholder
    "luoshi-hole-0123456789abcdef0123456789abcdef-csrf-end",  # a random hole's shape
    "<!-- luoshi-my-figures-7f3a9c2e5b1d -->",
    "<!-- luoshi-contact-form-7f3a9c2e5b1d -->",
    "{% csrf_token %}",
)
TITLE = " ".join(FORMER_MARKS)  # 197 characters: a time node's title takes 200
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')

pytestmark = pytest.mark.django_db(transaction=True)


def _client(username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    assert client.login(username=username, password=PASSWORD)
    return client


def _without_tokens(html: str) -> str:
    """The page without each response's own CSRF token (in the forms and htmx's headers)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def test_text_shaped_like_any_former_mark_shows_as_typed_on_every_cached_page(demo):
    """The cockpit (work items needing attention) and the workbench (work items, time
    nodes in the contact form, projects on the board), computed and then from the cache."""
    WorkItem.objects.update(title=TITLE)
    Milestone.objects.update(title=TITLE)
    Project.objects.filter(unit__code="ZJJ").update(name=TITLE)
    caches["pages"].clear()
    pages = {"office": reverse("dashboard:cockpit"), "zjj": reverse("dashboard:workbench")}
    for username, url in pages.items():
        client = _client(username)
        first = client.get(url).content.decode()
        with computed() as names:
            again = client.get(url).content.decode()
        assert not names, f"{url} served from the cache"
        for html in (first, again):
            assert html.count(escape(TITLE)) >= 3, url
            # the marks appear inside the title only, and every token is a real one
            assert "luoshi-hole" not in html.replace(escape(TITLE), "")
            for token in TOKEN.findall(html):
                assert re.fullmatch("[A-Za-z0-9]{64}", token), token
    tokens = TOKEN.findall(again)
    assert len(tokens) > 3 and len(set(tokens)) == 1, "one token a response, in every form"


def test_a_form_of_a_cached_workbench_posts_with_the_token_of_its_own_response(demo):
    """A second session of the same person gets the cached workbench with its own token in
    every form, and a POST with it passes Django's CSRF check (enforced)."""
    caches["pages"].clear()
    url = reverse("dashboard:workbench")
    first = _client("zjj", enforce_csrf_checks=True)
    first.get(url)
    second = _client("zjj", enforce_csrf_checks=True)  # another session, another secret
    with computed() as names:
        html = second.get(url).content.decode()
    assert "workbench-parts" not in names and "workbench-contact-form" not in names
    assert re.search(r'<form[^>]*id="receipt-form".*?</form>', html, re.S)
    # the cached form holds no token: the response ties its own to it
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]*)" form="receipt-form"', html
    ).group(1)
    data = {"amount": "12万", "received_on": "2024-06-03", "doc_no": "缓存页提交-1"}
    refused = second.post(reverse("dashboard:receipt_create"), data)
    assert refused.status_code == 403, "the check is enforced: no token, no write"
    response = second.post(
        reverse("dashboard:receipt_create"), {**data, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Receipt.objects.filter(doc_no="缓存页提交-1", amount=120_000).exists()
    # every form of a cached page has the response's token: inside it, or (the board's, cached
    # without one) in an input tied to it by HTML's form attribute
    head = _client("zjj_head", enforce_csrf_checks=True)
    head.get(url)
    page = head.get(url).content.decode()
    forms = re.findall(r'<form method="post"[^>]*>.*?</form>', page, re.S)
    tied = {
        form_id: token
        for token, form_id in re.findall(
            r'name="csrfmiddlewaretoken" value="([^"]*)" form="([^"]+)"', page
        )
    }
    board = [f for f in forms if "advance-form" in f]
    assert board and len(forms) > len(board)
    for form in forms:
        form_id = re.search(r'id="([^"]+)"', form)
        assert TOKEN.search(form) or tied.get(form_id and form_id.group(1)), form[:200]
    # a board form posts with its tied token
    form = board[0]
    form_id = re.search(r'id="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    stage = re.search(r'<option value="([^"]+)"', form).group(1)
    action = re.search(r'action="([^"]+)"', form).group(1)
    moved = head.post(action, {**fields, "to_stage": stage, "csrfmiddlewaretoken": tied[form_id]})
    assert moved.status_code == 302


def test_logging_in_leaves_the_cached_cockpit_cached(demo):
    """Login bookkeeping (the user's last login, failures, the session, the audit event)
    bumps no data stamp; a real change to a person still does."""
    caches["pages"].clear()
    office = _client("office")
    cockpit = office.get(reverse("dashboard:cockpit")).content.decode()
    before = stamps.current()
    # another person logs in through the login page, once wrongly, then rightly
    login = reverse("accounts:login")
    wrong = Client().post(login, {"username": "zjj", "password": "not-it"})
    assert wrong.status_code == 200
    right = Client().post(login, {"username": "leader", "password": PASSWORD})
    assert right.status_code == 302
    leader = get_user_model().objects.get(username="leader")
    assert timezone.now() - leader.last_login < dt.timedelta(minutes=5), "still kept"
    assert stamps.current() == before
    with computed() as names:
        again = office.get(reverse("dashboard:cockpit")).content.decode()
    assert names == [], "the cockpit is still a hit"
    assert _without_tokens(again) == _without_tokens(cockpit)
    get_user_model().objects.filter(username="leader").update(first_name="李华华")
    assert stamps.current()[stamps.OTHER] != before[stamps.OTHER]


def test_the_page_cache_off_gives_the_same_pages(demo):
    """LUOSHI_PAGE_CACHE=false: nothing read from or written to the cache, the same page."""
    cache = caches["pages"]
    pages = [
        ("office", reverse("dashboard:cockpit")),
        ("leader", reverse("dashboard:cockpit") + "?year=2024&as_of=2024-05-31&mode=month"),
        ("zjj", reverse("dashboard:workbench")),
        ("zjj_head", reverse("dashboard:workbench")),
    ]
    for username, url in pages:
        client = _client(username)
        cache.clear()
        client.get(url)
        with computed() as names:
            cached = client.get(url).content.decode()
        assert names == [], "served from the cache"
        cache.clear()
        with override_settings(PAGE_CACHE=False), computed() as names:
            fresh = client.get(url).content.decode()
            fresh_again = client.get(url).content.decode()
        assert names and not cache._list_cache_files(), "computed, nothing stored"
        assert _without_tokens(fresh) == _without_tokens(cached), url
        assert _without_tokens(fresh_again) == _without_tokens(fresh)
