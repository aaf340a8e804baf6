"""纳入计划 (design §12): a project squeezed into a higher-level plan, between 申报 and 批复,
with its plan, batch, date and amount; the success rates and the forecast count it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from funding import services
from funding.choices import STAGE_NAMES_ZH, Stage
from funding.models import Project
from funding.rates import success_rates
from org.models import Unit
from reporting.forecast import _pipelines

pytestmark = pytest.mark.django_db


def _applied(code: str, unit: Unit, requested: int = 3_000_000) -> Project:
    project, _ = services.save_project(
        user=None, code=code, name=code, unit=unit, requested=requested, on=dt.date(2024, 1, 5)
    )
    return services.advance_project(
        user=None, project=project, to_stage=Stage.APPLIED, on=dt.date(2024, 2, 1)
    )


def test_inclusion_records_plan_batch_date_and_amount_and_is_audited(db):
    unit = Unit.objects.create(code="T1", name="测试单位")
    project = _applied("P1", unit)
    with pytest.raises(ValidationError):  # a plan must be named
        services.advance_project(user=None, project=project, to_stage=Stage.INCLUDED)
    project = services.advance_project(
        user=None,
        project=project,
        to_stage=Stage.INCLUDED,
        on=dt.date(2024, 4, 10),
        plan="2024年中央预算内投资计划",
        batch="第二批",
        plan_amount=2_500_000,
    )
    assert (project.stage, project.included_plan, project.included_batch) == (
        Stage.INCLUDED,
        "2024年中央预算内投资计划",
        "第二批",
    )
    assert (project.included_on, project.included_amount) == (dt.date(2024, 4, 10), 2_500_000)
    event = AuditEvent.objects.filter(action="funding.project.advanced").latest("pk")
    assert event.after["included_plan"] == "2024年中央预算内投资计划"
    # and on to 批复: the flow goes 申报 → 纳入计划 → 批复
    services.advance_project(
        user=None, project=project, to_stage=Stage.APPROVED, on=dt.date(2024, 5, 1)
    )
    assert STAGE_NAMES_ZH["纳入计划"] == Stage.INCLUDED


def test_rates_count_included_projects_and_the_forecast_plans_their_money(db):
    unit = Unit.objects.create(code="T1", name="测试单位")
    _applied("A", unit)
    included = _applied("B", unit)
    services.advance_project(
        user=None,
        project=included,
        to_stage=Stage.INCLUDED,
        on=dt.date(2024, 4, 1),
        plan="省级重大项目库",
        plan_amount=2_000_000,
    )
    approved = _applied("C", unit)
    services.advance_project(
        user=None, project=approved, to_stage=Stage.APPROVED, on=dt.date(2024, 5, 1)
    )
    rates = success_rates(None, 2024, dt.date(2024, 6, 30))
    assert (rates.total.applied, rates.total.included, rates.total.approved) == (3, 2, 1)
    # before the inclusion it was only pending
    assert success_rates(None, 2024, dt.date(2024, 3, 31)).total.included == 0
    planned, pending = _pipelines([unit.pk], dt.date(2024, 6, 30))
    assert planned[unit.pk] == 2_000_000 + 3_000_000  # B at its amount in the plan, C requested
    assert pending[unit.pk] == 3_000_000  # A


def test_the_project_page_records_the_inclusion(client, team):
    project = _applied("CB2025-ZJJ-05", team["zjj"].membership.unit)
    client.force_login(team["zjj"])
    page = client.get(reverse("funding:project_detail", args=[project.pk]))
    assert page.context["include_form"] is not None
    response = client.post(
        reverse("funding:project_include", args=[project.pk]),
        {
            "plan": "2024年保障性安居工程中央预算内投资计划",
            "batch": "第一批",
            "on": "2024-06-20",
            "amount": "800",
            "version": project.version,
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.INCLUDED and project.included_amount == 8_000_000
    page = client.get(reverse("funding:project_detail", args=[project.pk]))
    assert "2024年保障性安居工程中央预算内投资计划 · 第一批" in page.content.decode()
    assert page.context["include_form"] is None  # already there
