"""Design §10: the API judges a work item's state on the reporting period's as-of date, as the
pages do (not on today's date)."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from policy.models import WorkItem
from policy.states import due_soon_horizon, work_item_state


def _judged_on(as_of: dt.date) -> dict[str, str]:
    states = due_soon_horizon(as_of)
    return {
        item.code: work_item_state(item.due_on, item.done_on, states.as_of, states.horizon)
        for item in WorkItem.objects.all()
    }


def _api_states(client: Client, **params) -> dict[str, str]:
    response = client.get("/api/work-items/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["code"]: item["state"] for item in body["items"]}


def test_the_api_judges_work_items_on_the_reporting_date_like_the_pages(cast):
    from policy.views import _states_on

    office = Client()
    office.force_login(cast["office"])
    pinned = _states_on().as_of  # the office pinned the demo's 2024-06-30
    assert pinned == dt.date(2024, 6, 30)
    expected = _judged_on(pinned)
    assert _api_states(office) == expected
    # the test means something: judged today, the demo's items read otherwise
    assert _judged_on(timezone.localdate()) != expected
    # another period, named as on every other API address
    year_end = _judged_on(dt.date(2024, 12, 31))
    assert year_end != expected
    assert _api_states(office, year="2024", as_of="2024-12-31") == year_end
    assert _api_states(office, year="2024") == year_end  # a past year: its last day
    for bad in ({"as_of": "2024-02-30"}, {"year": "99999"}, {"mode": "week"}):
        response = office.get("/api/work-items/", bad)
        assert response.status_code == 400 and response.json()["error"], bad
