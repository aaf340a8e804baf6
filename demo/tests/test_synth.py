"""`luoshi synth` (province-scale test data) and `luoshi bench` (the page figures)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from funding.models import Project, Receipt, Target
from funding.tests.test_rollups import assert_rollups_exact
from org.models import Unit
from org.period import ReportingPeriod
from org.services import save_unit
from policy.models import Milestone, WorkItem
from reporting.read_model import SYSTEM, figures_for


def test_synth_adds_counties_units_receipts_and_keeps_the_rollups_exact(demo):
    before = Receipt.objects.count()
    out = io.StringIO()
    call_command("synth", units=60, receipts=3000, seed=7, stdout=out)
    assert "Synthesised 2 counties, 60 units" in out.getvalue()
    counties = Unit.objects.filter(code__in=["SY000", "SY001"])
    assert counties.count() == 2
    assert Unit.objects.filter(parent__in=counties).count() == 60
    assert Target.objects.filter(unit__parent__in=counties, year=2024).count() == 60
    assert Receipt.objects.count() - before >= 3000
    assert Project.objects.filter(unit__parent__in=counties).count() == 600
    assert WorkItem.objects.filter(code__startswith="SY-GZ-").count() == 200
    assert Milestone.objects.filter(work_item__code__startswith="SY-GZ-").count() == 400
    assert AuditEvent.objects.filter(action="demo.synthesised").count() == 1
    assert_rollups_exact()
    # the league now holds the synthetic units, with every status represented
    figures = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30)))
    assert len(figures.units) == 17 + 60
    assert {u.status.value for u in figures.units} >= {"ahead", "behind", "none"}


def test_synth_is_refused_on_a_database_with_other_units(demo):
    save_unit(user=None, code="REAL01", name="某真实单位", kind="department")
    with pytest.raises(CommandError, match="not the demo"):
        call_command("synth", units=30, receipts=100, stdout=io.StringIO())
    assert not Unit.objects.filter(code__startswith="SY").exists()


def test_synth_is_refused_twice_and_without_the_demo(db, demo):
    call_command("synth", units=30, receipts=100, stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds synthetic data"):
        call_command("synth", units=30, receipts=100, stdout=io.StringIO())


def test_synth_needs_the_demo(db):
    with pytest.raises(CommandError, match="luoshi demo"):
        call_command("synth", units=30, receipts=100, stdout=io.StringIO())


def test_bench_prints_the_design_contract(demo, settings):
    out = io.StringIO()
    call_command("bench", format="json", repeat=1, stdout=out)
    result = json.loads(out.getvalue())
    assert result["scale"]["units"] == 33 and result["scale"]["receipts"] == 48
    names = [page["name"] for page in result["pages"]]
    assert "cockpit (office)" in names and "cockpit (leader)" in names
    assert "workbench (unit officer)" in names
    for page in result["pages"]:
        assert page["p50_ms"] > 0 and page["p95_ms"] >= page["p50_ms"] and page["queries"] > 0
    assert result["sql_p50_ms"] >= 0 and "cockpit_vs_sql" in result
