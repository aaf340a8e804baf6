"""The 申报指南 sheet (design §4): guides imported by code, all or nothing, with their units;
a past deadline is a warning; export → import changes nothing."""

import datetime as dt

import pytest

from funding.models import Guide
from ledger.export import export_ledger
from ledger.services import import_ledger

from .helpers import GOOD, write_xlsx

pytestmark = pytest.mark.django_db
HEADER = [
    "指南编号",
    "指南名称",
    "发布单位",
    "层级",
    "资金渠道",
    "截止日期",
    "支持范围",
    "申报条件",
    "所需材料",
    "发布日期",
    "适用单位编码",
]


def _sheets(*rows):
    return {**GOOD, "申报指南": [HEADER, *rows]}


def test_it_imports_guides_with_their_units_and_warns_of_a_past_deadline(tmp_path):
    path = write_xlsx(
        tmp_path / "g.xlsx",
        _sheets(
            [
                "ZN2099-001",
                "城市更新专项资金申报指南",
                "省财政厅",
                "省级",
                "新渠道",
                "2099-08-10",
                "支持老旧小区改造",
                "纳入项目库",
                "可研批复、用地预审",
                "2099-06-01",
                "A01、B02",
            ],
            [
                "ZN2000-001",
                "早已截止的指南",
                "省发展改革委",
                "中央",
                "",
                "2000-03-01",
                "",
                "",
                "",
                "2000-01-05",
                "",
            ],
        ),
    )
    result = import_ledger(path, user=None)
    assert result.ok, result.errors
    assert result.counts["guides"].created == 2
    guide = Guide.objects.get(code="ZN2099-001")
    assert guide.deadline == dt.date(2099, 8, 10) and guide.level == "provincial"
    assert guide.channel.name == "新渠道" and guide.materials == "可研批复、用地预审"
    assert sorted(u.code for u in guide.units.all()) == ["A01", "B02"]
    assert any("2000-03-01" in str(w) and w.row == 3 for w in result.warnings)
    again = import_ledger(path, user=None)
    assert again.ok and again.changed == 0 and again.counts["guides"].unchanged == 2


def test_a_bad_guide_row_stops_the_whole_import(tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        _sheets(
            ["ZN1", "指南一", "省财政厅", "省级", "", "2099-13-40", "", "", "", "", ""],
            ["ZN2", "指南二", "省财政厅", "", "", "", "", "", "", "", "NOPE"],
            ["ZN1", "重复编号", "省财政厅", "省级", "", "", "", "", "", "", ""],
        ),
    )
    result = import_ledger(path, user=None)
    assert not result.ok
    columns = {(e.row, e.column) for e in result.errors}
    assert (2, "截止日期") in columns and (3, "适用单位编码") in columns
    assert (3, "层级") in columns and (4, "指南编号") in columns
    assert not Guide.objects.exists()


def test_export_then_import_changes_no_guide(tmp_path, demo):
    out = tmp_path / "all.xlsx"
    counts = export_ledger(out)
    assert counts["guides"] == Guide.objects.count() >= 15
    result = import_ledger(out, user=None)
    assert result.ok, result.errors[:5]
    assert result.counts["guides"].created == 0 and result.counts["guides"].updated == 0
