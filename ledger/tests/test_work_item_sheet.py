"""The 工作事项 sheet: the division of labour imported from Excel, all or nothing, and
exported so that export → import changes nothing."""

import datetime as dt

from python_calamine import CalamineWorkbook

from audit.models import AuditEvent
from ledger.export import export_ledger
from ledger.services import import_ledger
from ledger.tests.helpers import write_xlsx
from policy.models import DueDateChange, Milestone, WorkItem
from policy.services import lead_unit_id

HEADER = [
    "事项编号",
    "事项名称",
    "政策文件",
    "政策条款",
    "牵头市级领导",
    "牵头单位编码",
    "配合单位编码",
    "完成时限",
    "时间节点",
    "工作目标",
]


def sheet(*rows):
    return {"工作事项": [HEADER, *rows]}


def test_export_then_import_changes_nothing_and_lists_every_item(demo, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export_ledger(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("工作事项").to_python()
    assert rows[0] == HEADER and len(rows) == 1 + 56 + 4  # with the demo meeting's decisions
    gz06 = next(r for r in rows if r[0] == "GZ-06")
    assert gz06[5] == "ZJJ" and "2024-10-18 梳理2000年前建成的老旧小区清单" in gz06[8]
    result = import_ledger(path, user=None)
    assert result.ok, [str(i) for i in result.issues]
    counts = result.counts["work_items"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 56 + 4)


def test_a_new_item_is_created_and_a_moved_date_keeps_the_old_one(demo, tmp_path):
    path = write_xlsx(
        tmp_path / "items.xlsx",
        sheet(
            [
                "GZ-90",
                "争取城市更新示范城市",
                "《意见》",
                "",
                "李华",
                "ZJJ",
                "FGW、CZJ",
                "2024-12-31",
                "2024-08-31 完成实施方案\n2024-10-31：报送申报材料",
                "进入全国示范名单",
            ],
            [
                "GZ-08",
                "争取燃气管道老化更新改造前期经费",
                "",
                "",
                "李华",
                "ZJJ",
                "DCJD、FGW",
                "2024-09-30",
                "",
                "",
            ],
        ),
    )
    result = import_ledger(path, user=None)
    assert result.ok, [str(i) for i in result.issues]
    counts = result.counts["work_items"]
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 0)
    item = WorkItem.objects.get(code="GZ-90")
    assert lead_unit_id(item) == item.assignments.get(unit__code="ZJJ").unit_id
    assert sorted(item.assignments.filter(role="co").values_list("unit__code", flat=True)) == [
        "CZJ",
        "FGW",
    ]
    assert list(item.milestones.values_list("due_on", "title")) == [
        (dt.date(2024, 8, 31), "完成实施方案"),
        (dt.date(2024, 10, 31), "报送申报材料"),
    ]
    moved = WorkItem.objects.get(code="GZ-08")
    assert moved.due_on == dt.date(2024, 9, 30)
    change = DueDateChange.objects.get(work_item=moved)
    assert change.old_due_on == dt.date(2024, 6, 20) and "items.xlsx" in change.reason
    batch = AuditEvent.objects.get(action="ledger.imported").batch
    assert set(AuditEvent.objects.filter(batch=batch).values_list("action", flat=True)) >= {
        "policy.work_item.created",
        "policy.work_item.updated",
        "policy.milestone.created",
    }
    # the same file again changes nothing
    again = import_ledger(path, user=None)
    assert again.changed == 0


def test_every_error_is_listed_and_nothing_is_written(demo, tmp_path):
    before = (WorkItem.objects.count(), Milestone.objects.count())
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        sheet(
            ["GZ-91", "甲", "", "", "无名氏", "ZJJ", "", "2024-12-31", "", ""],
            ["GZ-92", "乙", "", "九十九", "李华", "NOPE", "ZZZ", "2024-12-31", "", ""],
            ["GZ-93", "丙", "不存在的文件", "", "李华", "ZJJ", "", "2024-13-01", "", ""],
            ["GZ-94", "丁", "", "", "李华", "ZJJ", "ZJJ", "2024-12-31", "", ""],
            ["GZ-95", "戊", "", "", "李华", "ZJJ", "", "2024-12-31", "明天 开会", ""],
            ["GZ-95", "重复", "", "", "李华", "ZJJ", "", "2024-12-31", "", ""],
        ),
    )
    result = import_ledger(path, user=None)
    assert not result.ok
    where = {(i.row, i.column) for i in result.errors}
    assert {
        (2, "牵头市级领导"),
        (3, "政策条款"),
        (3, "牵头单位编码"),
        (3, "配合单位编码"),
        (4, "完成时限"),
        (5, "配合单位编码"),
        (6, "时间节点"),
        (7, "事项编号"),
    } <= where
    assert all(i.sheet == "工作事项" for i in result.errors)
    assert (WorkItem.objects.count(), Milestone.objects.count()) == before
