"""The 争取任务 sheet's 生效日期 and 调整原因 columns (design §4): revisions from a date."""

import datetime as dt

import openpyxl
import pytest

from funding import services
from funding.models import Target, TargetRevision
from funding.querysets import targets_in_force
from ledger.export import export_ledger
from ledger.services import import_ledger
from org.services import save_unit

from .helpers import write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["年度", "单位编码", "任务金额（万元）", "生效日期", "调整原因"]
JUNE_30, JULY_31 = dt.date(2024, 6, 30), dt.date(2024, 7, 31)


def run(tmp_path, rows, name="ledger.xlsx"):
    path = write_xlsx(tmp_path / name, {"争取任务": [HEADER, *rows]})
    return import_ledger(path, user=None)


def counts(result):
    c = result.counts["targets"]
    return c.created, c.updated, c.unchanged


def target_sheet(path):
    sheet = openpyxl.load_workbook(path)["争取任务"]
    rows = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        year, unit, amount, effective, reason = row
        rows.append((year, unit, amount, effective.date() if effective else None, reason or ""))
    return rows


@pytest.fixture
def unit():
    unit, _ = save_unit(user=None, code="A01", name="甲局")
    return unit


def test_a_row_with_a_new_amount_is_a_revision_from_its_date_with_its_reason(tmp_path, unit):
    assert counts(run(tmp_path, [[2024, "A01", 1000, "", ""]])) == (1, 0, 0)
    result = run(tmp_path, [[2024, "A01", 1500, "2024-07-01", "省里追加任务"]])
    assert result.ok and counts(result) == (0, 1, 0)
    revision = TargetRevision.objects.get()
    assert (revision.effective_on, revision.reason) == (dt.date(2024, 7, 1), "省里追加任务")
    assert (revision.old_amount, revision.new_amount) == (10_000_000, 15_000_000)
    assert targets_in_force(2024, JUNE_30)[unit.pk] == 10_000_000
    assert targets_in_force(2024, JULY_31)[unit.pk] == 15_000_000
    # the same row again is the target in force on that day: nothing changes
    assert counts(run(tmp_path, [[2024, "A01", 1500, "2024/7/1", "省里追加任务"]])) == (0, 0, 1)
    assert TargetRevision.objects.count() == 1


def test_without_a_date_the_change_counts_from_the_import_day_kept_in_the_year(tmp_path, unit):
    run(tmp_path, [[2024, "A01", 1000, "", ""]])
    result = run(tmp_path, [[2024, "A01", 1200, "", ""]], name="调整.xlsx")
    assert counts(result) == (0, 1, 0)
    revision = TargetRevision.objects.get()
    # the tests run after 2024, so the import day of a 2024 target is its last day
    assert revision.effective_on == dt.date(2024, 12, 31)
    assert revision.reason == "台账导入 调整.xlsx"
    assert Target.objects.get().amount == 12_000_000


def test_bad_effective_dates_are_errors_naming_sheet_row_and_column(tmp_path, unit):
    result = run(
        tmp_path,
        [
            [2024, "A01", 1000, "2024-02-30", ""],
            [2024, "A01", 1100, "下个月", ""],
            [2024, "A01", 1200, "2025-01-01", ""],
            [2024, "A01", 1300, "2024-03-01", "原因" * 151],
        ],
    )
    errors = [(i.sheet, i.row, i.column) for i in result.errors]
    assert errors == [
        ("争取任务", 2, "生效日期"),
        ("争取任务", 3, "生效日期"),
        ("争取任务", 4, "生效日期"),
        ("争取任务", 5, "调整原因"),
    ]
    assert "生效日期须在2024年内" in result.errors[2].message
    assert not Target.objects.exists()


def test_one_unit_may_have_rows_of_several_dates_but_not_two_of_one_day(tmp_path, unit):
    result = run(
        tmp_path,
        [
            [2024, "A01", 1000, "2024-01-01", ""],
            [2024, "A01", 1500, "2024-07-01", "年中调增"],
            [2024, "A01", 1300, "2024-04-01", "一季度调整"],
        ],
    )
    assert result.ok and counts(result) == (1, 2, 0)
    in_force = [targets_in_force(2024, dt.date(2024, m, 15))[unit.pk] for m in (2, 5, 8)]
    assert in_force == [10_000_000, 13_000_000, 15_000_000]
    assert Target.objects.get().amount == 15_000_000
    twice = run(
        tmp_path, [[2024, "A01", 1600, "2024-07-01", ""], [2024, "A01", 1700, "2024/7/1", ""]]
    )
    assert [(i.row, i.message) for i in twice.errors] == [(3, "与第 2 行重复。")]


def test_the_columns_round_trip_through_an_export(tmp_path, unit):
    services.set_target(user=None, unit=unit, year=2024, amount=10_000_000)
    services.set_target(
        user=None,
        unit=unit,
        year=2024,
        amount=15_000_000,
        effective_on=dt.date(2024, 7, 1),
        reason="年中调增",
    )
    services.set_target(
        user=None,
        unit=unit,
        year=2024,
        amount=9_000_000,
        effective_on=dt.date(2024, 3, 1),
        reason="年初核减",
    )
    other, _ = save_unit(user=None, code="B02", name="乙镇")
    services.set_target(user=None, unit=other, year=2024, amount=5_000_000)
    first = tmp_path / "first.xlsx"
    export_ledger(first)
    rows = target_sheet(first)
    assert rows == [
        (2024, "A01", 1000, dt.date(2024, 1, 1), ""),
        (2024, "A01", 900, dt.date(2024, 3, 1), "年初核减"),
        (2024, "A01", 1500, dt.date(2024, 7, 1), "年中调增"),
        (2024, "B02", 500, None, ""),
    ]
    # importing the export into the same database changes nothing
    again = import_ledger(first, user=None)
    assert again.ok and counts(again) == (0, 0, 4)
    # into a database without these targets it rebuilds them, dates and reasons included
    Target.objects.all().delete()
    rebuilt = import_ledger(first, user=None)
    assert rebuilt.ok and counts(rebuilt) == (2, 2, 0)
    a01 = [targets_in_force(2024, dt.date(2024, m, 15))[unit.pk] for m in (2, 5, 8)]
    assert a01 == [10_000_000, 9_000_000, 15_000_000]
    second = tmp_path / "second.xlsx"
    export_ledger(second)
    assert target_sheet(second) == rows
