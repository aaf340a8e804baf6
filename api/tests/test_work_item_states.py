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


def test_the_api_judges_work_items_on_the_reporting_date_like_the_pages(db):
    from org.tests.factories import LeaderFactory, UnitFactory, cast_of, reporting_period
    from policy.services import save_policy, save_work_item
    from policy.views import _states_on

    reporting_period(2024, dt.date(2024, 6, 30))  # the demo's pinned date
    unit, policy = UnitFactory(), save_policy(user=None, title="测试政策")
    # overdue, due soon and not yet due on 30 June; all overdue by the year's end
    for n, due in enumerate((dt.date(2024, 5, 31), dt.date(2024, 7, 3), dt.date(2024, 11, 1))):
        save_work_item(
            user=None,
            policy=policy,
            code=f"GZ-0{n + 1}",
            title=f"事项{n + 1}",
            lead_leader=LeaderFactory(oversees=[unit]),
            lead_unit=unit,
            due_on=due,
        )
    office = Client()
    office.force_login(cast_of("office")["office"])
    pinned = _states_on().as_of
    assert pinned == dt.date(2024, 6, 30)
    expected = _judged_on(pinned)
    assert len(set(expected.values())) == 3
    assert _api_states(office) == expected
    # the test means something: judged today, the items read otherwise
    assert _judged_on(timezone.localdate()) != expected
    # another period, named as on every other API address
    year_end = _judged_on(dt.date(2024, 12, 31))
    assert year_end != expected
    assert _api_states(office, year="2024", as_of="2024-12-31") == year_end
    assert _api_states(office, year="2024") == year_end  # a past year: its last day
    for bad in ({"as_of": "2024-02-30"}, {"year": "99999"}, {"mode": "week"}):
        response = office.get("/api/work-items/", bad)
        assert response.status_code == 400 and response.json()["error"], bad


def test_the_api_assessment_is_the_pages_with_default_2_by_default(cast):
    """The rules version is chosen as on the page and the command: default-2 unless named."""
    from org.period import ReportingPeriod
    from supervision.assessment import DEFAULT_1, DEFAULT_2, assess
    from supervision.models import AssessmentRules

    leader = Client()
    leader.force_login(cast["leader"])
    period = ReportingPeriod(2024, dt.date(2024, 6, 30))
    body = leader.get("/api/assessment/", {"as_of": "2024-06-30"}).json()
    assert body["rules_version"] == "default-2" and body["time_progress"] == 0.4973
    expected = assess(period, DEFAULT_2)
    assert [(u["code"], u["rank"]) for u in body["units"]] == [
        (u.code, u.rank) for u in expected.units
    ]
    assert all(isinstance(u["items_due"], int) for u in body["units"])
    one = leader.get("/api/assessment/", {"as_of": "2024-06-30", "rules": "default-1"}).json()
    assert one["rules_version"] == "default-1" and "items_due" not in one["units"][0]
    assert [u["total"] for u in one["units"]] == [
        float(u.total) for u in assess(period, DEFAULT_1).units
    ]
    assert AssessmentRules.objects.filter(code="default-2").exists()
    unknown = leader.get("/api/assessment/", {"rules": "nope"})
    assert unknown.status_code == 400 and "nope" in unknown.json()["error"]
    assert leader.get("/api/assessment/", {"rules": "x\x00"}).status_code == 400
    unit = Client()
    unit.force_login(cast["zjj"])
    assert unit.get("/api/assessment/").status_code == 403
