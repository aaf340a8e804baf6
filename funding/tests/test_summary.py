import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from common.text import display_width
from funding import services
from org.period import ReportingPeriod
from org.services import save_unit
from reporting.read_model import SYSTEM, figures_for


def summary_json(year: int, as_of: str) -> dict:
    out = StringIO()
    call_command("summary", year=year, as_of=as_of, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_it_reproduces_the_speech_on_the_demo(demo):
    figures = summary_json(2024, "2024-06-30")
    assert figures["counts"] == {"completed": 1, "ahead": 4, "behind": 8, "none": 4}
    assert figures["secured_wan"] == 107000
    assert round(figures["completion_rate"] * 100) == 51
    assert figures["time_progress"] == pytest.approx(182 / 366, abs=1e-4)
    assert len(figures["units"]) == 17
    assert set(figures["units"][0]) == {
        "code",
        "name",
        "target_wan",
        "secured_wan",
        "completion_rate",
        "status",
    }
    assert sum(u["secured_wan"] for u in figures["units"]) == figures["secured_wan"]


def test_the_text_form_prints_the_speech_sentence(demo):
    out = StringIO()
    call_command("summary", year=2024, as_of="2024-06-30", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "截至2024年6月30日，全市累计完成对上争取资金10.7亿元，占全年计划的51%。"
        "17个任务部门中，完成全年任务的1家，超时间进度的4家，低于时间进度的8家，无实绩的4家。"
    )


def test_the_text_table_lines_up_on_a_terminal(demo):
    out = StringIO()
    call_command("summary", year=2024, as_of="2024-06-30", stdout=out)
    header, *rows = out.getvalue().splitlines()[2:]
    assert header.split() == ["编码", "单位", "任务", "累计到位", "完成率", "状态"]
    assert len(rows) == 17
    # the rate column ends at the same terminal column on every row, Chinese names or not
    assert len({display_width(row[: row.index("%") + 1]) for row in rows}) == 1
    assert rows[0].split()[:5] == ["FGW", "市发展和改革委员会", "3.0亿元", "3.2亿元", "105%"]


def test_money_after_the_as_of_date_counts_later(demo):
    june = summary_json(2024, "2024-06-30")
    july = summary_json(2024, "2024-07-31")
    assert july["secured_wan"] == june["secured_wan"] + 3500  # two July receipts in the demo


@pytest.mark.django_db
def test_receipts_of_another_year_or_after_as_of_are_excluded():
    unit, _ = save_unit(user=None, code="T1", name="测试局")
    services.set_target(user=None, unit=unit, year=2024, amount=1_000_000)
    for on, amount in [
        (dt.date(2023, 12, 31), 100),
        (dt.date(2024, 1, 1), 200),
        (dt.date(2024, 6, 30), 400),
        (dt.date(2024, 7, 1), 800),
        (dt.date(2025, 1, 1), 1600),
    ]:
        services.record_receipt(user=None, unit=unit, amount=amount, received_on=on)
    summary = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))).summary
    assert summary.secured == 600
    assert summary.units[0].secured == 600


@pytest.mark.django_db
def test_a_unit_exactly_on_time_progress_is_ahead_in_the_database():
    unit, _ = save_unit(user=None, code="T2", name="测试二局")
    services.set_target(user=None, unit=unit, year=2024, amount=366 * 10_000)
    services.record_receipt(
        user=None, unit=unit, amount=182 * 10_000, received_on=dt.date(2024, 3, 1)
    )
    summary = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))).summary
    assert summary.counts["ahead"] == 1


@pytest.mark.django_db
def test_the_summary_runs_a_fixed_number_of_queries(django_assert_max_num_queries, demo):
    with django_assert_max_num_queries(2):
        assert (
            sum(
                figures_for(
                    SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))
                ).summary.counts.values()
            )
            == 17
        )


@pytest.mark.django_db
def test_raising_a_target_keeps_its_history():
    unit, _ = save_unit(user=None, code="T3", name="测试三局")
    target, _ = services.set_target(user=None, unit=unit, year=2024, amount=100)
    services.set_target(user=None, unit=unit, year=2024, amount=150, reason="调增")
    target.refresh_from_db()
    assert target.amount == 150
    revision = target.revisions.get()
    assert (revision.old_amount, revision.new_amount, revision.reason) == (100, 150, "调增")
