"""A 申报指南 sheet without 发布日期 (issue 20 point 5, design §4): a ledger is a record of
the past, so a missing publication date is unknown (stored empty), never "today" — which put
every past deadline before it and refused the sheet — and a past deadline imports as closed.
The workbook is a real .xlsx written by openpyxl."""

import datetime as dt

import openpyxl
import pytest
from django.urls import reverse

from funding.models import Guide
from funding.workbench import guides_for_unit
from ledger.export import export_ledger
from ledger.services import import_ledger
from org.models import Unit

from .helpers import GOOD

pytestmark = pytest.mark.django_db
HEADER = ["指南编号", "指南名称", "发布单位", "层级", "截止日期", "适用单位编码"]
ROWS = [
    [
        "ZN2024-201",
        "2024年城市燃气管道更新改造中央预算内投资申报通知",
        "国家发展改革委",
        "中央",
        dt.date(2024, 7, 15),
        "A01",
    ],
    ["ZN2099-202", "城市更新专项资金申报指南", "省财政厅", "省级", dt.date(2099, 8, 10), "A01"],
]


def write_openpyxl(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
    book.save(path)
    return path


def test_a_guide_sheet_without_publication_dates_imports(tmp_path):
    path = write_openpyxl(tmp_path / "guides.xlsx", {**GOOD, "申报指南": [HEADER, *ROWS]})
    result = import_ledger(path, user=None)
    assert result.ok, [str(e) for e in result.errors]
    assert result.counts["guides"].created == 2
    closed = Guide.objects.get(code="ZN2024-201")
    assert closed.published_on is None and closed.deadline == dt.date(2024, 7, 15)
    # the past deadline is said, and the guide is closed: no workbench offers it any more
    assert any("2024-07-15" in str(w) for w in result.warnings)
    unit = Unit.objects.get(code="A01")
    offered = [g["guide"].code for g in guides_for_unit(None, unit, dt.date.today())]
    assert offered == ["ZN2099-202"]
    # the same file again changes nothing; an export reads back with the date still unknown
    assert import_ledger(path, user=None).changed == 0
    out = tmp_path / "out.xlsx"
    export_ledger(out)
    again = import_ledger(out, user=None)
    assert again.ok and again.changed == 0
    assert Guide.objects.get(code="ZN2024-201").published_on is None


def test_a_blank_date_leaves_a_known_one_and_a_known_date_still_bounds_the_deadline(tmp_path):
    header = [*HEADER, "发布日期"]
    dated = write_openpyxl(
        tmp_path / "dated.xlsx",
        {**GOOD, "申报指南": [header, [*ROWS[0], dt.date(2024, 6, 3)]]},
    )
    assert import_ledger(dated, user=None).ok
    blank = write_openpyxl(tmp_path / "blank.xlsx", {**GOOD, "申报指南": [header, [*ROWS[0], ""]]})
    assert import_ledger(blank, user=None).changed == 0
    assert Guide.objects.get(code="ZN2024-201").published_on == dt.date(2024, 6, 3)
    wrong = write_openpyxl(
        tmp_path / "wrong.xlsx",
        {**GOOD, "申报指南": [header, [*ROWS[1][:4], dt.date(2099, 5, 1), "A01", "2099-06-01"]]},
    )
    refused = import_ledger(wrong, user=None)
    assert not refused.ok
    assert [(e.column, str(e.message)) for e in refused.errors] == [
        ("截止日期", "截止日期不能早于发布日期。")
    ]


def test_pages_show_an_unknown_publication_date_as_unknown(tmp_path, client, make_user):
    path = write_openpyxl(tmp_path / "guides.xlsx", {**GOOD, "申报指南": [HEADER, *ROWS]})
    assert import_ledger(path, user=None).ok
    guide = Guide.objects.get(code="ZN2024-201")
    from accounts.services import state_for

    office = make_user("office")
    state = state_for(office)
    state.must_change_password = False
    state.save()
    client.force_login(office)
    detail = client.get(reverse("funding:guide_detail", args=[guide.pk]))
    assert detail.status_code == 200 and "已截止" in detail.content.decode()
    assert client.get(reverse("funding:guide_list")).status_code == 200
    assert client.get(reverse("funding:guide_edit", args=[guide.pk])).status_code == 200
