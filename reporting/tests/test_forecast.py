"""Year-end forecast (design §3.1): at least what is secured, an honest range, the method in
words; a unit with no result gets the approved-but-not-arrived money; `luoshi forecast`."""

import datetime as dt
import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from funding import services
from funding.choices import Stage
from org.models import Unit
from org.period import ReportingPeriod
from reporting.forecast import SHARE_BOUNDS, Basis, forecast_amounts, forecasts_for
from reporting.read_model import SYSTEM


@given(
    secured=st.integers(0, 10**12),
    share=st.fractions(Fraction(1, 100), Fraction(1)),
    pipeline=st.integers(0, 10**11),
    pending=st.integers(0, 10**11),
)
def test_the_forecast_is_never_below_secured_and_inside_its_range(
    secured, share, pipeline, pending
):
    forecast, low, high = forecast_amounts(Basis(secured, share, "time", pipeline, pending))
    assert secured <= low <= forecast <= high
    assert forecast >= secured + pipeline


@given(secured=st.integers(0, 10**12), share=st.fractions(Fraction(0), Fraction(3)))
def test_the_share_is_held_inside_its_bounds_exactly(secured, share):
    lower, upper = SHARE_BOUNDS
    held = min(max(share, lower), upper)
    forecast, _low, _high = forecast_amounts(Basis(secured, share, "time"))
    assert forecast == max(int(Fraction(secured) / held), secured)


def test_pace_follows_last_years_season():
    forecast, low, high = forecast_amounts(Basis(30_000_000, Fraction(3, 10), "own"))
    assert forecast == 100_000_000 and low == 30_000_000 + 42_000_000


@pytest.mark.django_db
def test_a_unit_with_no_result_gets_its_approved_projects(db):
    unit = Unit.objects.create(code="T9", name="测试单位")
    services.set_target(user=None, unit=unit, year=2024, amount=50_000_000)
    project, _ = services.save_project(
        user=None, code="P9", name="P9", unit=unit, requested=8_000_000, on=dt.date(2024, 1, 2)
    )
    services.advance_project(
        user=None, project=project, to_stage=Stage.APPLIED, on=dt.date(2024, 2, 1)
    )
    services.advance_project(
        user=None,
        project=project,
        to_stage=Stage.APPROVED,
        on=dt.date(2024, 5, 1),
        approved_amount=6_000_000,
    )
    (line,) = forecasts_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30)))
    assert line.secured == 0 and line.forecast == 6_000_000
    assert "6" in line.method and line.low < line.forecast < line.high
    # as of a date before the approval, the project was still pending: no forecast money
    (early,) = forecasts_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 4, 1)))
    assert early.forecast == 0 and early.high > 0


@pytest.mark.django_db
def test_the_forecast_at_year_end_is_what_was_secured(demo):
    for line in forecasts_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 12, 31))):
        assert line.forecast == line.secured


@pytest.mark.django_db
def test_the_forecast_command_prints_the_json_contract(demo):
    out = StringIO()
    call_command(
        "forecast", "--year", "2024", "--as-of", "2024-06-30", "--format", "json", stdout=out
    )
    payload = json.loads(out.getvalue())
    assert payload["year"] == 2024 and payload["as_of"] == "2024-06-30"
    assert len(payload["units"]) == 17
    first = payload["units"][0]
    assert {"code", "secured_wan", "forecast_wan", "low_wan", "high_wan", "method"} <= set(first)
    assert sum(u["secured_wan"] for u in payload["units"]) == 107_000
    for unit in payload["units"]:
        assert unit["low_wan"] <= unit["forecast_wan"] <= unit["high_wan"]
        assert unit["forecast_wan"] >= unit["secured_wan"]
    text = StringIO()
    call_command("forecast", "--year", "2024", "--as-of", "2024-06-30", stdout=text)
    assert "ZJJ" in text.getvalue()


@pytest.mark.django_db
def test_cockpit_and_unit_page_show_the_forecast_with_its_method(demo, client, cast):
    client.force_login(cast["office"])
    html = client.get(reverse("dashboard:cockpit")).content.decode()
    assert 'id="forecast"' in html and "data-forecast=" in html
    zjj = Unit.objects.get(code="ZJJ")
    client.force_login(cast["zjj"])
    html = client.get(reverse("dashboard:unit", args=[zjj.pk])).content.decode()
    assert 'id="forecast"' in html
