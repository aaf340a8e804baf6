"""Success rates (design §9): the cohort of a year, counted from the stage history."""

import datetime as dt

import pytest
from django.urls import reverse

from funding import services
from funding.choices import Stage
from funding.rates import success_rates
from org.models import Unit

pytestmark = pytest.mark.django_db


def _project(code, unit, requested, path, approved=None):
    project, _ = services.save_project(
        user=None, code=code, name=code, unit=unit, requested=requested, on=dt.date(2023, 12, 1)
    )
    for stage, on in path:
        services.advance_project(
            user=None,
            project=project,
            to_stage=stage,
            on=on,
            approved_amount=approved if stage == Stage.APPROVED else None,
        )
    return project


def test_rates_count_the_year_cohort_from_the_stage_history(db):
    unit = Unit.objects.create(code="T1", name="测试单位")
    other = Unit.objects.create(code="T2", name="另一单位")
    _project("A", unit, 1_000_000, [(Stage.APPLIED, dt.date(2024, 2, 1))])
    b = _project(
        "B",
        unit,
        2_000_000,
        [(Stage.APPLIED, dt.date(2024, 2, 1)), (Stage.APPROVED, dt.date(2024, 5, 1))],
        approved=1_500_000,
    )
    services.record_receipt(
        user=None, unit=unit, amount=500_000, received_on=dt.date(2024, 6, 1), project=b
    )
    _project(
        "C",
        other,
        3_000_000,
        [(Stage.APPLIED, dt.date(2024, 3, 1)), (Stage.REJECTED, dt.date(2024, 4, 1))],
    )
    _project("OLD", unit, 9_000_000, [(Stage.APPLIED, dt.date(2023, 12, 5))])
    _project("LATE", unit, 9_000_000, [(Stage.APPLIED, dt.date(2024, 7, 5))])
    services.save_project(
        user=None, code="R", name="R", unit=unit, plan_year=2025, requested=7_000_000
    )
    rates = success_rates(None, 2024, dt.date(2024, 6, 30))
    total = rates.total
    assert (total.applied, total.approved, total.funded, total.rejected) == (3, 1, 1, 1)
    assert total.requested == 6_000_000 and total.approved_amount == 1_500_000
    assert total.arrived == 500_000
    assert total.approval_rate == pytest.approx(1 / 3)
    by_unit = {r.key: r for r in rates.by_unit}
    assert by_unit["T1"].applied == 2 and by_unit["T2"].rejected == 1
    assert rates.reserve_year == 2025 and rates.reserve_total.requested == 7_000_000


def test_the_rates_page_shows_a_unit_only_its_own(client, team):
    zjj = team["zjj"].membership.unit
    slj = Unit.objects.create(code="SLJ", name="市水利局")
    for n, unit in enumerate([zjj, slj, zjj]):
        _project(f"P{n}", unit, 2_000_000, [(Stage.APPLIED, dt.date(2024, 2, 1 + n))])
    client.force_login(team["zjj"])
    response = client.get(reverse("funding:rates"), {"year": "2024", "as_of": "2024-06-30"})
    html = response.content.decode()
    assert response.status_code == 200 and "市住房和城乡建设局" in html
    assert "市水利局" not in html
    response = client.get(reverse("funding:rates"), {"year": "x", "as_of": "2024-99-99"})
    assert response.status_code == 200


def test_a_project_funded_in_a_year_counts_there_by_its_receipts(db):
    """Design §10: applied in 2023, money in 2024 → funded in 2024 (not 到位 0), and its
    2024 money is not 2023's."""
    unit = Unit.objects.create(code="T1", name="测试单位")
    old = _project(
        "OLD",
        unit,
        4_000_000,
        [(Stage.APPLIED, dt.date(2023, 11, 1)), (Stage.APPROVED, dt.date(2023, 12, 20))],
        approved=3_000_000,
    )
    services.record_receipt(
        user=None, unit=unit, amount=1_000_000, received_on=dt.date(2023, 12, 28), project=old
    )
    services.record_receipt(
        user=None, unit=unit, amount=2_000_000, received_on=dt.date(2024, 3, 1), project=old
    )
    rates = success_rates(None, 2024, dt.date(2024, 6, 30))
    assert (rates.total.applied, rates.total.approved, rates.total.funded) == (1, 1, 1)
    assert rates.total.arrived == 2_000_000  # 2024's receipts only
    assert success_rates(None, 2023, dt.date(2023, 12, 31)).total.arrived == 1_000_000
    # before the 2024 money arrived, 2024 has nothing of it
    assert success_rates(None, 2024, dt.date(2024, 2, 1)).total.applied == 0


def test_the_demo_rates_and_annex_say_the_headlines_money(demo, client, cast):
    from common.money import format_amount
    from funding.models import Receipt
    from org.period import ReportingPeriod
    from reporting.read_model import SYSTEM, figures_for
    from supervision.bulletin import success_rates_annex

    period = ReportingPeriod(2024, dt.date(2024, 6, 30))
    secured = figures_for(SYSTEM, period).summary.secured
    on_projects = Receipt.objects.in_year(2024, period.as_of).filter(project__isnull=False)
    funded = on_projects.values("project_id").distinct().count()
    assert funded > 0
    rates = success_rates(None, 2024, period.as_of)
    assert rates.total.funded == funded
    assert rates.total.arrived == sum(r.amount for r in on_projects)
    # every demo receipt of the first half is on a project: the headline's 10.7亿元
    assert rates.total.arrived == secured and format_amount(secured) == "10.7亿元"
    annex = success_rates_annex(period)
    assert annex["total"]["funded"] == funded and annex["total"]["arrived"] == "10.7亿元"
    client.force_login(cast["office"])
    html = client.get(reverse("funding:rates"), {"year": "2024", "as_of": "2024-06-30"})
    page = html.content.decode()
    assert f'data-rate="funded">{funded} ' in page and "10.7亿元" in page
