"""Every screen, the API and the CLI give the same figures for the same unit and period."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from funding.models import Target
from org.models import SiteConfig
from org.period import ReportingPeriod
from reporting.read_model import SYSTEM, figures_for

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'data-unit="(?P<code>[^"]+)" data-target="(?P<target>\d+)" '
    r'data-secured="(?P<secured>\d+)" data-status="(?P<status>\w+)"'
)
PERIODS = [
    (dt.date(2024, 3, 31), "day"),
    (dt.date(2024, 6, 30), "day"),
    (dt.date(2024, 6, 30), "month"),
    (dt.date(2024, 7, 30), "day"),
    (dt.date(2024, 7, 30), "month"),
    (dt.date(2024, 12, 31), "month"),
]


def lines(html: str) -> dict[str, tuple[int, int, str]]:
    return {
        m["code"]: (int(m["target"]), int(m["secured"]), m["status"]) for m in ROW.finditer(html)
    }


def test_every_screen_the_api_and_the_cli_agree(client, cast, make_user):
    targets = Target.objects.filter(year=2024).select_related("unit")
    officers = {t.unit.code: make_user("unit_officer", unit=t.unit) for t in targets}
    unit_ids = {t.unit.code: t.unit_id for t in targets}
    seen_statuses = set()
    for as_of, mode in PERIODS:
        # the office's own setting drives the pages opened without parameters (the workbench)
        SiteConfig.objects.filter(pk=1).update(default_as_of=as_of, time_progress_mode=mode)
        period = ReportingPeriod(2024, as_of, mode)
        truth = {
            u.code: (u.target, u.secured, u.status.value) for u in figures_for(SYSTEM, period).units
        }
        assert len(truth) == 17
        seen_statuses |= {status for _t, _s, status in truth.values()}
        query = {"year": 2024, "as_of": as_of.isoformat(), "mode": mode}

        client.force_login(cast["office"])
        assert lines(client.get("/cockpit/", query).content.decode()) == truth
        assert lines(client.get("/cockpit/").content.decode()) == truth
        api = client.get("/api/summary/", query).json()
        assert {u["code"]: u["status"] for u in api["units"]} == {
            code: status for code, (_t, _s, status) in truth.items()
        }
        for code, unit_id in unit_ids.items():
            for url in (f"/cockpit/unit/{unit_id}/", f"/org/units/{unit_id}/"):
                assert lines(client.get(url, query).content.decode()) == {code: truth[code]}, url

        client.force_login(cast["leader"])
        assert lines(client.get("/cockpit/", query).content.decode()) == truth
        assert client.get("/api/summary/", query).json() == api

        for code, officer in officers.items():
            client.force_login(officer)
            session = (
                client.session
            )  # a new person's first-login password change is not tested here
            session["luoshi_password_ok"] = True
            session.save()
            html = client.get("/cockpit/workbench/").content.decode()
            assert lines(html) == {code: truth[code]}, code
            own = client.get("/api/summary/", query).json()
            assert [(u["code"], u["status"]) for u in own["units"]] == [(code, truth[code][2])]

        out = StringIO()
        call_command(
            "summary", year=2024, as_of=as_of.isoformat(), mode=mode, format="json", stdout=out
        )
        assert json.loads(out.getvalue()) == api
    # the periods chosen exercise every class, so a wrong rule for one would show
    assert seen_statuses == {"completed", "ahead", "behind", "none"}


def test_the_time_progress_mode_changes_a_status_the_same_way_everywhere(client, cast):
    """30 July by month is 6/12 of the year, by day 212/366: some units change class."""
    by_day = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 7, 30), "day"))
    by_month = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 7, 30), "month"))
    changed = {
        a.code for a, b in zip(by_day.units, by_month.units, strict=True) if a.status != b.status
    }
    assert changed, "the demo should have units between the two time progresses"
    client.force_login(cast["office"])
    for mode, figures in (("day", by_day), ("month", by_month)):
        html = client.get("/cockpit/", {"as_of": "2024-07-30", "mode": mode}).content.decode()
        page = lines(html)
        for unit in figures.units:
            assert page[unit.code][2] == unit.status.value


def _summary(as_of: str) -> dict:
    out = StringIO()
    call_command("summary", year=2024, as_of=as_of, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_a_july_raise_leaves_the_mid_year_bulletin_as_it_was(cast):
    from funding.services import set_target

    june, july = _summary("2024-06-30"), _summary("2024-07-31")
    assert june["counts"] == {"completed": 1, "ahead": 4, "behind": 8, "none": 4}
    # 市交通运输局 is ahead on 31 July; a big raise from 1 July puts it behind from then on
    target = Target.objects.get(unit__code="JTJ", year=2024)
    assert {u["code"]: u["status"] for u in july["units"]}["JTJ"] == "ahead"
    set_target(
        user=cast["office"],
        unit=target.unit,
        year=2024,
        amount=target.amount * 3,
        reason="年中调增",
        effective_on=dt.date(2024, 7, 1),
        expected_version=target.version,
    )
    assert _summary("2024-06-30") == june
    after = _summary("2024-07-31")
    assert {u["code"]: u["status"] for u in after["units"]}["JTJ"] == "behind"
    assert after["counts"] != july["counts"]
    assert after["target_wan"] > july["target_wan"]


def test_doubtful_claims_are_in_the_json_and_on_the_cockpit(client, cast):
    claims = _summary("2024-12-31")["doubtful_claims"]
    assert claims, "the demo has 市民政局 recording 住建局's 文号"
    assert all(len(c["units"]) >= 2 and c["amount_wan"] > 0 for c in claims)
    client.force_login(cast["office"])
    html = client.get("/cockpit/", {"as_of": "2024-12-31"}).content.decode()
    for claim in claims:
        assert f'data-claim="{claim["doc_no"]}"' in html
    # the unit involved sees its claim, a unit not involved sees none
    zjj = client.get("/api/summary/", {"as_of": "2024-12-31"})
    client.force_login(cast["zjj"])
    own = client.get("/api/summary/", {"as_of": "2024-12-31"}).json()["doubtful_claims"]
    assert zjj.status_code == 200
    assert own == [c for c in claims if "ZJJ" in c["units"]]
