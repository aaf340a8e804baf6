"""Supervision pages run a bounded number of queries, whatever the number of units."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGES = [
    ("office", "/supervision/dispatch/"),
    ("office", "/supervision/dispatch/{round}/"),
    ("zjj", "/supervision/dispatch/answer/{request}/"),
    ("zjj", "/cockpit/workbench/"),
    ("office", "/supervision/bulletins/"),
    ("office", "/supervision/bulletins/preview/?year=2024&as_of=2024-06-30"),
    ("leader", "/supervision/bulletins/{bulletin}/"),
    ("office", "/supervision/assessment/?year=2024&as_of=2024-06-30"),
    ("office", "/supervision/assessment/export.xlsx?year=2024&as_of=2024-06-30"),
    ("office", "/supervision/assessment/rules/"),
]


def count(client, cast, username, url) -> int:
    client.force_login(cast[username])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_pages_do_not_grow_with_the_round(demo, client, cast):
    from org.models import Unit
    from supervision import services
    from supervision.models import Bulletin, Dispatch, DispatchRequest

    dispatch = Dispatch.objects.get()
    ids = {
        "round": dispatch.pk,
        "request": DispatchRequest.objects.get(unit__code="ZJJ").pk,
        "bulletin": Bulletin.objects.get().pk,
    }
    before = {url: count(client, cast, user, url.format(**ids)) for user, url in PAGES}
    # a round for every unit, half of them answered
    big = services.open_dispatch(
        user=cast["office"],
        title="全体调度",
        meeting_on=dispatch.meeting_on,
        due_on=dispatch.due_on,
        units=list(Unit.objects.all()),
        questions=["问题一", "问题二"],
    )
    for request in big.requests.all()[::2]:
        services.answer_dispatch(user=None, request=request, answers=["甲", "乙"])
    ids["round"] = big.pk
    after = {url: count(client, cast, user, url.format(**ids)) for user, url in PAGES}
    for url, queries in after.items():
        assert queries <= 30, f"{url}: {queries} queries"
        assert queries <= before[url] + 1, f"{url}: {before[url]} → {queries} queries"


@pytest.mark.parametrize("username", ["office", "leader"])
def test_the_assessment_page_is_a_few_queries(demo, client, cast, username):
    assert count(client, cast, username, "/supervision/assessment/?year=2024") <= 20
